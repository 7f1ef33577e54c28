// Gatehouse web front end: the passkey (WebAuthn) ceremonies of both apps
// (issue 17). One file in web/shared/, served by the portal and the
// console alike; each app passes its own API client and path prefix
// (/api/v1/staff or /api/v1/portal).
//
// The server speaks WebAuthn Level 3's JSON forms (base64url, no padding,
// for every binary field). A current browser converts them itself
// (PublicKeyCredential.parse*OptionsFromJSON, credential.toJSON()); for an
// older one the few binary fields are converted here by hand. Nothing
// from a ceremony is kept: the challenge and the credential go to the
// server and are dropped.
//
// What this file does not do: decide anything. The server checks the
// origin, the challenge, the signature and the policy; a refusal comes
// back as an ApiError and is put in plain words by ceremonyMessage().
import { ApiError } from './lib.js';

// True when this browser can run a passkey ceremony here (WebAuthn needs
// a secure context: https, or http on localhost).
export function passkeysAvailable() {
  return !!(window.isSecureContext && window.PublicKeyCredential &&
    navigator.credentials && typeof navigator.credentials.create === 'function' &&
    typeof navigator.credentials.get === 'function');
}

// Why passkeys cannot be used in this browser, in words for a button's hint.
export const UNAVAILABLE =
  'This browser cannot use passkeys here. Use a current version of Chrome, Edge, Firefox or Safari, with the address starting https://.';

// ------------------------------------------------------------- base64url

export function fromB64url(s) {
  const b64 = String(s).replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '==='.slice((b64.length + 3) % 4));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

export function toB64url(buf) {
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// ------------------------------------------------------ options from JSON

function descriptors(list) {
  return Array.isArray(list) ? list.map((d) => Object.assign({}, d, { id: fromB64url(d.id) })) : list;
}

// PublicKeyCredentialCreationOptionsJSON -> the options create() takes.
export function creationOptions(json) {
  const PKC = window.PublicKeyCredential;
  if (PKC && typeof PKC.parseCreationOptionsFromJSON === 'function') return PKC.parseCreationOptionsFromJSON(json);
  const o = Object.assign({}, json);
  o.challenge = fromB64url(json.challenge);
  o.user = Object.assign({}, json.user, { id: fromB64url(json.user.id) });
  if (json.excludeCredentials) o.excludeCredentials = descriptors(json.excludeCredentials);
  return o;
}

// PublicKeyCredentialRequestOptionsJSON -> the options get() takes.
export function requestOptions(json) {
  const PKC = window.PublicKeyCredential;
  if (PKC && typeof PKC.parseRequestOptionsFromJSON === 'function') return PKC.parseRequestOptionsFromJSON(json);
  const o = Object.assign({}, json);
  o.challenge = fromB64url(json.challenge);
  if (json.allowCredentials) o.allowCredentials = descriptors(json.allowCredentials);
  return o;
}

// ------------------------------------------------------ credential to JSON

// The attestation response's members (RegistrationResponseJSON).
function attestationJSON(r) {
  const out = { clientDataJSON: toB64url(r.clientDataJSON), attestationObject: toB64url(r.attestationObject) };
  if (typeof r.getTransports === 'function') out.transports = r.getTransports();
  if (typeof r.getAuthenticatorData === 'function') out.authenticatorData = toB64url(r.getAuthenticatorData());
  if (typeof r.getPublicKeyAlgorithm === 'function') out.publicKeyAlgorithm = r.getPublicKeyAlgorithm();
  const pk = typeof r.getPublicKey === 'function' ? r.getPublicKey() : null;
  if (pk) out.publicKey = toB64url(pk);
  return out;
}

// The assertion response's members (AuthenticationResponseJSON).
function assertionJSON(r) {
  const out = {
    clientDataJSON: toB64url(r.clientDataJSON),
    authenticatorData: toB64url(r.authenticatorData),
    signature: toB64url(r.signature),
  };
  if (r.userHandle) out.userHandle = toB64url(r.userHandle);
  return out;
}

// A PublicKeyCredential as the server takes it: credential.toJSON() when
// the browser has it, else the same members by hand.
export function credentialJSON(cred) {
  if (typeof cred.toJSON === 'function') return cred.toJSON();
  const r = cred.response;
  return {
    id: cred.id,
    rawId: toB64url(cred.rawId),
    type: cred.type,
    authenticatorAttachment: cred.authenticatorAttachment || undefined,
    clientExtensionResults: typeof cred.getClientExtensionResults === 'function' ? cred.getClientExtensionResults() : {},
    response: r.attestationObject ? attestationJSON(r) : assertionJSON(r),
  };
}

// ------------------------------------------------------------- ceremonies

// Registers a passkey for the signed-in account: options from the server,
// the browser's create(), then the credential back. base is the app's
// prefix (/api/v1/staff or /api/v1/portal); name may be '' (the server
// then names it "Passkey N"). Resolves to the new PASSKEY object.
export async function registerPasskey(api, base, name) {
  const opts = await api.post(`${base}/passkeys/options`, {});
  const cred = await navigator.credentials.create({ publicKey: creationOptions(opts.publicKey) });
  const body = { credential: credentialJSON(cred) };
  if (name) body.name = name;
  const res = await api.post(`${base}/passkeys`, body);
  return res.passkey;
}

// Signs in with a passkey: options (with the e-mail address when one was
// typed; without it the browser offers the passkeys it holds for this
// site), the browser's get(), then the assertion. Resolves to the
// session answer, exactly as the password login's.
export async function passkeyLogin(api, base, email) {
  const opts = await api.post(`${base}/session/passkey/options`, email ? { email } : {}, { expect401: true });
  const cred = await navigator.credentials.get({ publicKey: requestOptions(opts.publicKey) });
  return api.post(`${base}/session/passkey`, { credential: credentialJSON(cred) }, { expect401: true });
}

// A failed ceremony in plain words: the browser's refusals (DOMException)
// and the server's (ApiError). Anything else keeps its own message.
export function ceremonyMessage(e) {
  if (e instanceof ApiError) {
    if (e.code === 'login_failed') return 'That passkey was not accepted.';
    if (e.code === 'passkey_exists') return 'This passkey is already registered.';
    if (e.code === 'passkey_refused') return `The passkey was not accepted (${e.data.reason || 'refused'}). Try again, or use another passkey.`;
    return e;
  }
  const name = e && e.name;
  if (name === 'NotAllowedError' || name === 'AbortError') return 'The passkey request was cancelled or timed out.';
  if (name === 'InvalidStateError') return 'This passkey is already registered.';
  if (name === 'SecurityError') return 'This browser refused the passkey request for this address. Open the site by its usual name, with https://.';
  if (name === 'NotSupportedError') return 'None of your passkey devices supports what this site needs (a passkey stored on the device, unlocked with your PIN, fingerprint or face).';
  return e instanceof Error ? e.message : String(e);
}
