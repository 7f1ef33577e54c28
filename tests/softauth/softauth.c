/*
 * The software authenticator of the tests (see softauth.h). Everything a
 * real authenticator would put on the wire is written byte by byte here:
 * the CBOR heads, the COSE key, the authenticator data and the
 * attestation object. Only the keys and signatures come from libcrypto and
 * only the JSON envelope from jansson.
 */
#include "softauth.h"

#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#define SA_ID_MAX 4096
#define SA_BUF (SA_ID_MAX + 1024)

struct softauth {
	int alg;
	EVP_PKEY *key;
	uint8_t id[SA_ID_MAX];
	size_t id_len;
	uint32_t counter;
	char user_handle[88]; /* base64url; "" until set */
};

/* A byte buffer that remembers overflowing instead of writing past. */
struct sa_buf {
	uint8_t b[SA_BUF];
	size_t n;
	int bad;
};

static void put(struct sa_buf *w, const void *p, size_t n)
{
	if (w->bad || n > sizeof(w->b) - w->n) {
		w->bad = 1;
		return;
	}
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void put8(struct sa_buf *w, unsigned v)
{
	uint8_t c = (uint8_t)v;

	put(w, &c, 1);
}

/* A CBOR head: major type and argument, shortest form (RFC 8949 3). */
static void cbor_head(struct sa_buf *w, unsigned major, uint64_t v)
{
	unsigned m = major << 5;

	if (v < 24) {
		put8(w, m | (unsigned)v);
	} else if (v < 0x100) {
		put8(w, m | 24);
		put8(w, (unsigned)v);
	} else if (v < 0x10000) {
		put8(w, m | 25);
		put8(w, (unsigned)(v >> 8));
		put8(w, (unsigned)v);
	} else {
		put8(w, m | 26);
		for (int s = 24; s >= 0; s -= 8)
			put8(w, (unsigned)(v >> s));
	}
}

static void cbor_int(struct sa_buf *w, int64_t v)
{
	if (v >= 0)
		cbor_head(w, 0, (uint64_t)v);
	else
		cbor_head(w, 1, (uint64_t)(-1 - v));
}

static void cbor_bytes(struct sa_buf *w, const uint8_t *p, size_t n)
{
	cbor_head(w, 2, n);
	put(w, p, n);
}

static void cbor_text(struct sa_buf *w, const char *s)
{
	cbor_head(w, 3, strlen(s));
	put(w, s, strlen(s));
}

static void b64url(const uint8_t *in, size_t len, char *out)
{
	static const char al[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t o = 0;

	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t k = len - i < 3 ? len - i : 3;

		if (k > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		out[o++] = al[(v >> 18) & 63];
		out[o++] = al[(v >> 12) & 63];
		if (k > 1)
			out[o++] = al[(v >> 6) & 63];
		if (k > 2)
			out[o++] = al[v & 63];
	}
	out[o] = '\0';
}

/* Sets key to the base64url of the bytes. 0 or -1. */
static int set_b64(json_t *obj, const char *key, const uint8_t *p, size_t n)
{
	char *s = malloc(4 * (n / 3 + 1) + 1);
	int rc;

	if (!s)
		return -1;
	b64url(p, n, s);
	rc = json_object_set_new(obj, key, json_string(s));
	free(s);
	return rc;
}

struct softauth *softauth_new(int alg)
{
	struct softauth *a;
	uint8_t r;

	if (alg != WA_ES256 && alg != WA_EDDSA && alg != WA_RS256)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->alg = alg;
	if (alg == WA_ES256)
		a->key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else if (alg == WA_RS256)
		a->key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else
		a->key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!a->key || RAND_bytes(&r, 1) != 1)
		goto fail;
	a->id_len = 16 + r % 49;
	if (RAND_bytes(a->id, (int)a->id_len) != 1)
		goto fail;
	return a;
fail:
	softauth_free(a);
	return NULL;
}

void softauth_free(struct softauth *a)
{
	if (!a)
		return;
	EVP_PKEY_free(a->key);
	free(a);
}

const uint8_t *softauth_cred_id(const struct softauth *a, size_t *len)
{
	*len = a->id_len;
	return a->id;
}

/* RSA (RFC 8230): n and e, big-endian without leading zeros. */
static void cose_rsa(const struct softauth *a, struct sa_buf *w)
{
	BIGNUM *n = NULL, *e = NULL;
	uint8_t nb[512], eb[8];
	int nl, el;

	if (!EVP_PKEY_get_bn_param(a->key, OSSL_PKEY_PARAM_RSA_N, &n) ||
	    !EVP_PKEY_get_bn_param(a->key, OSSL_PKEY_PARAM_RSA_E, &e) ||
	    BN_num_bytes(n) > (int)sizeof(nb) ||
	    BN_num_bytes(e) > (int)sizeof(eb)) {
		w->bad = 1;
	} else {
		nl = BN_bn2bin(n, nb);
		el = BN_bn2bin(e, eb);
		cbor_head(w, 5, 4);
		cbor_int(w, 1), cbor_int(w, 3);     /* kty: RSA */
		cbor_int(w, 3), cbor_int(w, -257);  /* alg: RS256 */
		cbor_int(w, -1), cbor_bytes(w, nb, (size_t)nl);
		cbor_int(w, -2), cbor_bytes(w, eb, (size_t)el);
	}
	BN_free(n);
	BN_free(e);
}

/* The COSE_Key (RFC 9053): EC2 P-256, OKP Ed25519 or RSA, keys in the
 * order CTAP2's canonical CBOR puts them. */
static void cose_key(const struct softauth *a, struct sa_buf *w)
{
	uint8_t pt[65], x[32];
	size_t n = 0;

	if (a->alg == WA_RS256) {
		cose_rsa(a, w);
		return;
	}

	if (a->alg == WA_ES256) {
		if (!EVP_PKEY_get_octet_string_param(a->key,
				OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n) ||
		    n != 65) {
			w->bad = 1;
			return;
		}
		cbor_head(w, 5, 5);
		cbor_int(w, 1), cbor_int(w, 2);     /* kty: EC2 */
		cbor_int(w, 3), cbor_int(w, -7);    /* alg: ES256 */
		cbor_int(w, -1), cbor_int(w, 1);    /* crv: P-256 */
		cbor_int(w, -2), cbor_bytes(w, pt + 1, 32);
		cbor_int(w, -3), cbor_bytes(w, pt + 33, 32);
		return;
	}
	n = sizeof(x);
	if (EVP_PKEY_get_raw_public_key(a->key, x, &n) != 1 || n != 32) {
		w->bad = 1;
		return;
	}
	cbor_head(w, 5, 4);
	cbor_int(w, 1), cbor_int(w, 1);     /* kty: OKP */
	cbor_int(w, 3), cbor_int(w, -8);    /* alg: EdDSA */
	cbor_int(w, -1), cbor_int(w, 6);    /* crv: Ed25519 */
	cbor_int(w, -2), cbor_bytes(w, x, 32);
}

size_t softauth_cose_key(const struct softauth *a, uint8_t *out, size_t outsz)
{
	struct sa_buf *w = calloc(1, sizeof(*w));
	size_t n = 0;

	if (!w)
		return 0;
	cose_key(a, w);
	if (!w->bad && w->n <= outsz) {
		memcpy(out, w->b, w->n);
		n = w->n;
	}
	free(w);
	return n;
}

/* Signs msg: ES256 gives the DER signature WebAuthn uses, EdDSA the raw
 * 64 bytes, RS256 PKCS#1 v1.5 with SHA-256. 0 or -1. */
static int sign(const struct softauth *a, const uint8_t *msg, size_t len,
		uint8_t *sig, size_t *siglen, int flip)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	const EVP_MD *md = a->alg == WA_EDDSA ? NULL : EVP_sha256();
	int rc = -1;

	if (!c)
		return -1;
	if (EVP_DigestSignInit(c, NULL, md, NULL, a->key) == 1 &&
	    EVP_DigestSign(c, sig, siglen, msg, len) == 1)
		rc = 0;
	EVP_MD_CTX_free(c);
	if (rc == 0 && flip)
		sig[*siglen - 1] ^= 0x01;
	return rc;
}

static void sha256(const void *p, size_t n, uint8_t out[32])
{
	unsigned int len = 32;

	EVP_Digest(p, n, out, &len, EVP_sha256(), NULL);
}

/* clientDataJSON as a browser writes it (compact, members in order). */
static char *client_data(const char *type, const char *chal,
			 const char *origin, const struct softauth_opts *o)
{
	json_t *j = json_object();
	char *s;

	if (!j)
		return NULL;
	json_object_set_new(j, "type", json_string(o->type ? o->type : type));
	json_object_set_new(j, "challenge", json_string(chal));
	json_object_set_new(j, "origin",
			    json_string(o->origin ? o->origin : origin));
	json_object_set_new(j, "crossOrigin",
			    json_boolean(o->cross_origin != 0));
	if (o->top_origin)
		json_object_set_new(j, "topOrigin", json_string(o->top_origin));
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

/* rpIdHash, flags and counter: the 37 bytes every authenticatorData
 * starts with. */
static void auth_head(struct sa_buf *w, const char *rp_id, unsigned flags,
		      uint32_t counter, const struct softauth_opts *o)
{
	uint8_t h[32];
	const char *rp = o->rp_id ? o->rp_id : rp_id;

	sha256(rp, strlen(rp), h);
	put(w, h, 32);
	flags |= o->extra_flags;
	if (o->clear_up)
		flags &= ~WA_FLAG_UP;
	if (o->clear_uv)
		flags &= ~WA_FLAG_UV;
	put8(w, flags);
	for (int s = 24; s >= 0; s -= 8)
		put8(w, (unsigned)(counter >> s));
}

/* With WA_FLAG_ED among the extra flags: the authenticator extension
 * outputs at the end of the authenticator data, {"credProtect": 2} as a
 * security key that protects discoverable credentials writes them. */
static void auth_ext(struct sa_buf *w, const struct softauth_opts *o)
{
	if (!(o->extra_flags & WA_FLAG_ED))
		return;
	cbor_head(w, 5, 1);
	cbor_text(w, "credProtect");
	cbor_int(w, 2);
}

/* The attestation object {fmt, attStmt, authData}; "packed" is self
 * attestation: alg and a signature over authData || clientDataHash. */
static int att_obj(const struct softauth *a, const struct sa_buf *ad,
		   const uint8_t cdh[32], const struct softauth_opts *o,
		   struct sa_buf *w)
{
	const char *fmt = o->fmt ? o->fmt : "none";
	uint8_t sig[512], *msg;
	size_t siglen = sizeof(sig);
	int rc;

	cbor_head(w, 5, 3);
	cbor_text(w, "fmt");
	cbor_text(w, fmt);
	cbor_text(w, "attStmt");
	if (strcmp(fmt, "packed") == 0) {
		msg = malloc(ad->n + 32);
		if (!msg)
			return -1;
		memcpy(msg, ad->b, ad->n);
		memcpy(msg + ad->n, cdh, 32);
		rc = sign(a, msg, ad->n + 32, sig, &siglen, o->bad_signature);
		free(msg);
		if (rc)
			return -1;
		cbor_head(w, 5, 2);
		cbor_text(w, "alg");
		cbor_int(w, a->alg);
		cbor_text(w, "sig");
		cbor_bytes(w, sig, siglen);
	} else {
		cbor_head(w, 5, 0);
	}
	cbor_text(w, "authData");
	cbor_bytes(w, ad->b, ad->n);
	return w->bad ? -1 : 0;
}

static const struct softauth_opts no_opts;

/* The response member of a RegistrationResponseJSON. */
static json_t *reg_response(struct softauth *a, const char *cd,
			    const struct sa_buf *ad, const struct sa_buf *ao)
{
	json_t *r = json_object();
	uint8_t *spki = NULL;
	int n;

	if (!r)
		return NULL;
	set_b64(r, "clientDataJSON", (const uint8_t *)cd, strlen(cd));
	set_b64(r, "attestationObject", ao->b, ao->n);
	json_object_set_new(r, "transports", json_pack("[s]", "internal"));
	json_object_set_new(r, "publicKeyAlgorithm", json_integer(a->alg));
	n = i2d_PUBKEY(a->key, &spki);
	if (n > 0)
		set_b64(r, "publicKey", spki, (size_t)n);
	OPENSSL_free(spki);
	set_b64(r, "authenticatorData", ad->b, ad->n);
	return r;
}

/* The credential envelope both JSON forms share. */
static char *envelope(const struct softauth *a, json_t *resp, int reg)
{
	json_t *j = json_object();
	char *s = NULL;

	if (!j || !resp) {
		json_decref(j);
		json_decref(resp);
		return NULL;
	}
	set_b64(j, "id", a->id, a->id_len);
	set_b64(j, "rawId", a->id, a->id_len);
	json_object_set_new(j, "type", json_string("public-key"));
	json_object_set_new(j, "response", resp);
	if (reg)
		json_object_set_new(j, "authenticatorAttachment",
				    json_string("platform"));
	json_object_set_new(j, "clientExtensionResults", json_object());
	s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return s;
}

char *softauth_register_json(struct softauth *a, const char *challenge_b64url,
			     const char *rp_id, const char *origin,
			     const struct softauth_opts *o)
{
	struct sa_buf *ad = calloc(1, sizeof(*ad)), *ao = calloc(1, sizeof(*ao));
	char *cd = NULL, *out = NULL;
	uint8_t cdh[32], aaguid[16] = {0};

	if (!o)
		o = &no_opts;
	if (!ad || !ao || o->cred_id_len > SA_ID_MAX)
		goto out;
	if (o->cred_id_len) {
		a->id_len = o->cred_id_len;
		if (RAND_bytes(a->id, (int)a->id_len) != 1)
			goto out;
	}
	a->counter = o->set_counter ? o->counter : 0;
	cd = client_data("webauthn.create", challenge_b64url, origin, o);
	if (!cd)
		goto out;
	sha256(cd, strlen(cd), cdh);
	auth_head(ad, rp_id, WA_FLAG_UP | WA_FLAG_UV | WA_FLAG_AT, a->counter, o);
	put(ad, aaguid, 16);
	put8(ad, (unsigned)(a->id_len >> 8));
	put8(ad, (unsigned)a->id_len);
	put(ad, a->id, a->id_len);
	cose_key(a, ad);
	auth_ext(ad, o);
	if (ad->bad || att_obj(a, ad, cdh, o, ao))
		goto out;
	out = envelope(a, reg_response(a, cd, ad, ao), 1);
out:
	free(cd);
	free(ad);
	free(ao);
	return out;
}

int softauth_set_user_handle(struct softauth *a, const char *user_id_b64url)
{
	size_t n = user_id_b64url != NULL ? strlen(user_id_b64url) : 0;

	if (n >= sizeof(a->user_handle))
		return -1;
	memcpy(a->user_handle, n > 0 ? user_id_b64url : "", n);
	a->user_handle[n] = '\0';
	return 0;
}

char *softauth_assert_json(struct softauth *a, const char *challenge_b64url,
			   const char *rp_id, const char *origin,
			   const struct softauth_opts *o)
{
	struct sa_buf *ad = calloc(1, sizeof(*ad));
	char *cd = NULL, *out = NULL;
	uint8_t sig[512];
	size_t siglen = sizeof(sig);
	json_t *r = NULL;
	uint32_t counter;

	if (!o)
		o = &no_opts;
	if (!ad)
		goto out;
	counter = o->set_counter ? o->counter : ++a->counter;
	cd = client_data("webauthn.get", challenge_b64url, origin, o);
	if (!cd)
		goto out;
	auth_head(ad, rp_id, WA_FLAG_UP | WA_FLAG_UV, counter, o);
	auth_ext(ad, o);
	sha256(cd, strlen(cd), ad->b + ad->n); /* authData || hash, signed */
	if (ad->bad ||
	    sign(a, ad->b, ad->n + 32, sig, &siglen, o->bad_signature))
		goto out;
	r = json_object();
	if (!r)
		goto out;
	set_b64(r, "clientDataJSON", (const uint8_t *)cd, strlen(cd));
	set_b64(r, "authenticatorData", ad->b, ad->n);
	set_b64(r, "signature", sig, siglen);
	if (o->user_handle)
		set_b64(r, "userHandle", o->user_handle, o->user_handle_len);
	else if (!o->no_user_handle && a->user_handle[0] != '\0')
		json_object_set_new(r, "userHandle",
				    json_string(a->user_handle));
	out = envelope(a, r, 0);
out:
	free(cd);
	free(ad);
	return out;
}
