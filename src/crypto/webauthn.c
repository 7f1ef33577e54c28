/*
 * WebAuthn relying-party verification (WebAuthn Level 3, 7.1 and 7.2):
 * the clientDataJSON checks, the order of the ceremony steps and the
 * base64url of the JSON forms. The CBOR, the authenticator data and the
 * calls into libfido2 are in webauthn_cbor.c.
 *
 * The rule this file keeps: every check that gives a reason word runs
 * before the signature, so that a refusal says what was wrong (a cleared
 * UP flag is "user_present", not a failed signature), and nothing is
 * written to the caller's output unless every step passed. Pure: no I/O,
 * no clock, no global state, no logging.
 */
#include "crypto/webauthn.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "crypto/crypto.h"
#include "crypto/webauthn_int.h"

static const char b64url_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t
webauthn_b64url_encode(const uint8_t *in, size_t len, char *out,
		       size_t outsz)
{
	size_t o = 0;
	uint32_t v;

	if (out == NULL || outsz == 0)
		return 0;
	out[0] = '\0';
	if (len > (SIZE_MAX - 1) / 4 * 3 - 3 || outsz < 4 * ((len + 2) / 3) + 1)
		return 0;
	for (size_t i = 0; i < len; i += 3) {
		size_t k = len - i < 3 ? len - i : 3;

		v = (uint32_t)in[i] << 16;
		if (k > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (k > 2)
			v |= in[i + 2];
		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		if (k > 1)
			out[o++] = b64url_alphabet[(v >> 6) & 63];
		if (k > 2)
			out[o++] = b64url_alphabet[v & 63];
	}
	out[o] = '\0';
	return o;
}

static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long
webauthn_b64url_decode(const char *in, uint8_t *out, size_t outsz)
{
	size_t n, o = 0;
	uint32_t acc = 0;
	int bits = 0, v;

	if (in == NULL)
		return -1;
	n = strlen(in);
	/* One character left over carries no whole byte: not base64. */
	if (n % 4 == 1 || n / 4 * 3 + 2 > (size_t)LONG_MAX)
		return -1;
	for (size_t i = 0; i < n; i++) {
		v = b64url_value(in[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= outsz)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	/* The unused low bits must be zero, so each byte string has one
	 * spelling (RFC 4648 3.5). */
	if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (long)o;
}

static int
in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n && i < WA_ORIGINS_MAX; i++)
		if (list[i] != NULL && strcmp(s, list[i]) == 0)
			return 1;
	return 0;
}

/* The challenge in clientData against the one drawn, in constant time.
 * Ours are WA_CHALLENGE_LEN bytes; longer ones (up to 256) are read so
 * that the function does not depend on that choice. */
static int
challenge_ok(const char *b64, const uint8_t *want, size_t want_len)
{
	uint8_t got[256];
	long n;

	if (want == NULL || want_len == 0 || want_len > sizeof(got))
		return 0;
	n = webauthn_b64url_decode(b64, got, sizeof(got));
	return n == (long)want_len && crypto_equal(got, want, want_len);
}

/* crossOrigin and topOrigin (WebAuthn 7.1 steps 10-11): absent or false
 * unless the relying party allows being framed, and then only by the
 * top origins it names. */
static int
cross_origin_ok(const struct wa_rp *rp, json_t *cd, struct wa_why *why)
{
	json_t *co = json_object_get(cd, "crossOrigin");
	json_t *top = json_object_get(cd, "topOrigin");

	if (co != NULL && !json_is_boolean(co)) {
		wa_why_set(why, "malformed");
		return 0;
	}
	if (json_is_true(co) && !rp->allow_cross_origin) {
		wa_why_set(why, "cross_origin");
		return 0;
	}
	if (top == NULL)
		return 1;
	if (!json_is_string(top)) {
		wa_why_set(why, "malformed");
		return 0;
	}
	if (!rp->allow_cross_origin ||
	    !in_list(json_string_value(top), rp->top_origins,
		     rp->n_top_origins)) {
		wa_why_set(why, "top_origin");
		return 0;
	}
	return 1;
}

/* clientDataJSON (7.1 steps 5-11, 7.2 steps 9-15) and its hash. */
static int
client_data_check(const struct wa_rp *rp, const uint8_t *cd, size_t len,
		  const char *type, const uint8_t *chal, size_t chal_len,
		  uint8_t cdh[32], struct wa_why *why)
{
	json_t *j = NULL, *t, *c, *o;
	int rc = -1;

	wa_why_set(why, "malformed");
	if (cd == NULL || len == 0 || len > WA_CLIENT_DATA_MAX)
		return -1;
	j = json_loadb((const char *)cd, len, JSON_REJECT_DUPLICATES, NULL);
	t = json_object_get(j, "type");
	c = json_object_get(j, "challenge");
	o = json_object_get(j, "origin");
	if (!json_is_object(j) || !json_is_string(t) || !json_is_string(c) ||
	    !json_is_string(o))
		goto out;
	if (strcmp(json_string_value(t), type) != 0) {
		wa_why_set(why, "type");
		goto out;
	}
	if (!challenge_ok(json_string_value(c), chal, chal_len)) {
		wa_why_set(why, "challenge");
		goto out;
	}
	if (!in_list(json_string_value(o), rp->origins, rp->n_origins)) {
		wa_why_set(why, "origin");
		goto out;
	}
	if (!cross_origin_ok(rp, j, why))
		goto out;
	crypto_hash_sha256(cdh, cd, len);
	rc = 0;
out:
	json_decref(j);
	return rc;
}

/* rpIdHash and flags (7.1 steps 13-16, 7.2 steps 15-18). */
static int
auth_check(const struct wa_rp *rp, const struct wa_auth *a,
	   struct wa_why *why)
{
	uint8_t h[32];

	crypto_hash_sha256(h, (const uint8_t *)rp->rp_id, strlen(rp->rp_id));
	if (!crypto_equal(h, a->rp_hash, 32)) {
		wa_why_set(why, "rp_id_hash");
		return -1;
	}
	if (!(a->flags & WA_FLAG_UP)) {
		wa_why_set(why, "user_present");
		return -1;
	}
	if (rp->require_uv && !(a->flags & WA_FLAG_UV)) {
		wa_why_set(why, "user_verified");
		return -1;
	}
	/* A backed-up credential that cannot be backed up is a lie. */
	if ((a->flags & WA_FLAG_BS) && !(a->flags & WA_FLAG_BE)) {
		wa_why_set(why, "flags");
		return -1;
	}
	return 0;
}

static unsigned
fmt_bit(const char *fmt)
{
	if (strcmp(fmt, "none") == 0)
		return WA_FMT_NONE;
	if (strcmp(fmt, "packed") == 0)
		return WA_FMT_PACKED;
	if (strcmp(fmt, "fido-u2f") == 0)
		return WA_FMT_FIDO_U2F;
	if (strcmp(fmt, "tpm") == 0)
		return WA_FMT_TPM;
	return 0;
}

/* The attestation statement (7.1 steps 19-21): "none" must be empty;
 * the others are verified by libfido2. Trust in an x5c chain is not
 * judged here (no trust anchors): the caller records att_type. */
static int
statement_check(const struct wa_rp *rp, int alg, const struct wa_att *att,
		const struct wa_auth *a, const uint8_t cdh[32],
		char att_type[8], struct wa_why *why)
{
	unsigned bit = fmt_bit(att->fmt);

	if (bit == 0 || !(rp->formats & bit)) {
		wa_why_set(why, "attestation_format");
		return -1;
	}
	if (bit == WA_FMT_NONE) {
		if (att->stmt_pairs != 0) {
			wa_why_set(why, "attestation");
			return -1;
		}
		memcpy(att_type, "none", 5);
		return 0;
	}
	return wa_att_verify(rp->rp_id, alg, att, a, cdh, att_type, why);
}

static int
rp_ok(const struct wa_rp *rp)
{
	return rp != NULL && rp->rp_id != NULL && rp->rp_id[0] != '\0';
}

/* Copies what a parsed registration says into out (no checks). */
static void
cred_fill(struct wa_cred *out, const struct wa_auth *a,
	  const struct wa_att *att, int alg)
{
	memcpy(out->id, a->cred_id, a->cred_id_len);
	out->id_len = a->cred_id_len;
	memcpy(out->pubkey, a->cose, a->cose_len);
	out->pubkey_len = a->cose_len;
	out->alg = alg;
	out->sign_count = a->count;
	out->flags = a->flags;
	memcpy(out->aaguid, a->aaguid, 16);
	memcpy(out->fmt, att->fmt, sizeof(out->fmt));
}

int
webauthn_register_verify(const struct wa_rp *rp, const struct wa_reg_in *in,
			 struct wa_cred *out, struct wa_why *why)
{
	struct wa_att att;
	struct wa_auth a;
	uint8_t cdh[32];
	char att_type[8] = "";
	int alg = 0, rc = -1;

	memset(&att, 0, sizeof(att));
	wa_why_set(why, "malformed");
	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!rp_ok(rp) || in == NULL)
		return -1;
	if (client_data_check(rp, in->client_data, in->client_data_len,
			      "webauthn.create", in->challenge,
			      in->challenge_len, cdh, why) < 0 ||
	    wa_att_parse(in->att_obj, in->att_obj_len, &att, why) < 0 ||
	    wa_auth_parse(att.auth, att.auth_len, 1, &a, why) < 0 ||
	    auth_check(rp, &a, why) < 0 ||
	    wa_cose_check(a.cose, a.cose_len, &alg, why) < 0 ||
	    statement_check(rp, alg, &att, &a, cdh, att_type, why) < 0)
		goto out;
	cred_fill(out, &a, &att, alg);
	memcpy(out->att_type, att_type, sizeof(out->att_type));
	rc = 0;
out:
	wa_att_clear(&att);
	return rc;
}

int
webauthn_assert_verify(const struct wa_rp *rp, const struct wa_assert_in *in,
		       const struct wa_stored *cred,
		       struct wa_assert_out *out, struct wa_why *why)
{
	struct wa_auth a;
	uint8_t cdh[32];

	wa_why_set(why, "malformed");
	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!rp_ok(rp) || in == NULL || cred == NULL)
		return -1;
	if (client_data_check(rp, in->client_data, in->client_data_len,
			      "webauthn.get", in->challenge, in->challenge_len,
			      cdh, why) < 0)
		return -1;
	wa_why_set(why, "malformed");
	if (in->auth_data_len > WA_AUTH_DATA_MAX ||
	    wa_auth_parse(in->auth_data, in->auth_data_len, 0, &a, why) < 0 ||
	    auth_check(rp, &a, why) < 0)
		return -1;
	if (wa_sig_verify(rp->rp_id, cred->alg, cred->pubkey, cred->pubkey_len,
			  in->auth_data, in->auth_data_len, cdh, in->sig,
			  in->sig_len, why) < 0)
		return -1;
	out->sign_count = a.count;
	out->flags = a.flags;
	/* 7.2 step 22: either count non-zero and not increased. */
	out->counter_regressed = (a.count != 0 || cred->sign_count != 0) &&
				 a.count <= cred->sign_count;
	return 0;
}

int
webauthn_parse_att_obj(const uint8_t *att_obj, size_t len,
		       struct wa_cred *out)
{
	struct wa_att att;
	struct wa_auth a;
	int alg = 0, rc = -1;

	if (out == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	if (wa_att_parse(att_obj, len, &att, NULL) < 0)
		return -1;
	if (wa_auth_parse(att.auth, att.auth_len, 1, &a, NULL) == 0 &&
	    wa_cose_check(a.cose, a.cose_len, &alg, NULL) == 0) {
		cred_fill(out, &a, &att, alg);
		rc = 0;
	}
	wa_att_clear(&att);
	return rc;
}
