/*
 * The binary half of WebAuthn verification: the attestation object (CBOR,
 * read with libcbor), the authenticator data (a fixed layout, read here
 * by hand), the COSE public key, and the calls into libfido2 that check
 * signatures and attestation statements.
 *
 * Every CBOR input is first measured by wa_cbor_span, which accepts only
 * definite lengths, a nesting of at most WA_CBOR_DEPTH and lengths that
 * fit in the bytes given. libcbor then never sees a map that claims more
 * members than the input could hold, nor an item deeper than its
 * recursive free can bear. Nothing here logs or keeps state.
 */
#include "crypto/webauthn_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cbor.h>
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>

void
wa_why_set(struct wa_why *why, const char *word)
{
	if (why != NULL)
		snprintf(why->word, sizeof(why->word), "%s", word);
}

/* One CBOR head (RFC 8949 3): major type and argument. 0 or -1 for a
 * reserved or indefinite length, or one running past the input. */
static int
cbor_head(const uint8_t *p, size_t len, size_t *pos, unsigned *major,
	  uint64_t *val)
{
	unsigned ai;
	size_t n;

	if (*pos >= len)
		return -1;
	*major = p[*pos] >> 5;
	ai = p[*pos] & 31u;
	(*pos)++;
	if (ai < 24) {
		*val = ai;
		return 0;
	}
	if (ai > 27)
		return -1;
	n = (size_t)1 << (ai - 24);
	if (len - *pos < n)
		return -1;
	*val = 0;
	for (size_t i = 0; i < n; i++)
		*val = (*val << 8) | p[(*pos)++];
	return 0;
}

size_t
wa_cbor_span(const uint8_t *p, size_t len)
{
	uint64_t left[WA_CBOR_DEPTH + 1], val, n;
	unsigned major;
	size_t pos = 0;
	int d = 0;

	left[0] = 1;
	for (;;) {
		while (d > 0 && left[d] == 0)
			d--;
		if (left[d] == 0)
			return pos;
		left[d]--;
		if (cbor_head(p, len, &pos, &major, &val) < 0)
			return 0;
		if (major == 2 || major == 3) {
			if (val > len - pos)
				return 0;
			pos += (size_t)val;
		} else if (major >= 4 && major <= 6) {
			/* Each member takes at least one byte (a tag's
			 * argument is its number, not a count). */
			if (major != 6 && val > len - pos)
				return 0;
			n = major == 5 ? 2 * val : major == 6 ? 1 : val;
			if (n == 0)
				continue;
			if (d == WA_CBOR_DEPTH)
				return 0;
			left[++d] = n;
		}
	}
}

/* A CBOR integer that fits in int64_t. 0 or -1. */
static int
cbor_int_of(const cbor_item_t *it, int64_t *out)
{
	uint64_t v;

	if (!cbor_isa_uint(it) && !cbor_isa_negint(it))
		return -1;
	v = cbor_get_int(it);
	if (v > INT64_MAX)
		return -1;
	*out = cbor_isa_uint(it) ? (int64_t)v : -1 - (int64_t)v;
	return 0;
}

/* Text item equal to s (definite, so its bytes are one chunk). */
static int
cbor_text_is(const cbor_item_t *it, const char *s)
{
	size_t n = strlen(s);

	return cbor_isa_string(it) && cbor_string_is_definite(it) &&
	       cbor_string_length(it) == n &&
	       memcmp(cbor_string_handle(it), s, n) == 0;
}

/* Loads one measured CBOR item that must fill the input exactly. */
static cbor_item_t *
cbor_load_exact(const uint8_t *p, size_t len)
{
	struct cbor_load_result res;
	cbor_item_t *it;

	if (len == 0 || wa_cbor_span(p, len) != len)
		return NULL;
	it = cbor_load(p, len, &res);
	if (it != NULL && (res.error.code != CBOR_ERR_NONE || res.read != len))
		cbor_decref(&it);
	return it;
}

/* attStmt: its alg and whether it has x5c, then its CBOR for libfido2. */
static int
att_stmt(const cbor_item_t *m, struct wa_att *att)
{
	struct cbor_pair *pr = cbor_map_handle(m);
	int64_t v;

	att->stmt_pairs = cbor_map_size(m);
	for (size_t i = 0; i < att->stmt_pairs; i++) {
		if (cbor_text_is(pr[i].key, "alg")) {
			if (cbor_int_of(pr[i].value, &v) < 0 || v < INT32_MIN ||
			    v > INT32_MAX || v == 0)
				return -1;
			att->stmt_alg = (int)v;
		} else if (cbor_text_is(pr[i].key, "x5c")) {
			att->stmt_x5c = 1;
		}
	}
	att->stmt_len = cbor_serialize_alloc(m, &att->stmt, &(size_t){0});
	return att->stmt_len == 0 ? -1 : 0;
}

/* One member of the attestation object; seen counts each once. */
static int
att_member(const struct cbor_pair *pr, struct wa_att *att, unsigned *seen)
{
	const cbor_item_t *v = pr->value;
	size_t n;

	if (cbor_text_is(pr->key, "fmt") && !(*seen & 1u)) {
		*seen |= 1u;
		if (!cbor_isa_string(v) || !cbor_string_is_definite(v))
			return -1;
		n = cbor_string_length(v);
		if (n == 0 || n >= sizeof(att->fmt) ||
		    memchr(cbor_string_handle(v), '\0', n) != NULL)
			return -1;
		memcpy(att->fmt, cbor_string_handle(v), n);
		att->fmt[n] = '\0';
		return 0;
	}
	if (cbor_text_is(pr->key, "attStmt") && !(*seen & 2u)) {
		*seen |= 2u;
		if (!cbor_isa_map(v) || !cbor_map_is_definite(v))
			return -1;
		return att_stmt(v, att);
	}
	if (cbor_text_is(pr->key, "authData") && !(*seen & 4u)) {
		*seen |= 4u;
		if (!cbor_isa_bytestring(v) || !cbor_bytestring_is_definite(v))
			return -1;
		n = cbor_bytestring_length(v);
		att->auth = malloc(n > 0 ? n : 1);
		if (att->auth == NULL)
			return -1;
		memcpy(att->auth, cbor_bytestring_handle(v), n);
		att->auth_len = n;
		return 0;
	}
	return -1; /* unknown or repeated */
}

int
wa_att_parse(const uint8_t *p, size_t len, struct wa_att *att,
	     struct wa_why *why)
{
	cbor_item_t *it = NULL;
	struct cbor_pair *pr;
	unsigned seen = 0;
	int rc = -1;

	memset(att, 0, sizeof(*att));
	if (p == NULL || len > WA_ATT_OBJ_MAX)
		goto out;
	it = cbor_load_exact(p, len);
	if (it == NULL || !cbor_isa_map(it) || !cbor_map_is_definite(it) ||
	    cbor_map_size(it) != 3)
		goto out;
	pr = cbor_map_handle(it);
	for (size_t i = 0; i < 3; i++)
		if (att_member(&pr[i], att, &seen) < 0)
			goto out;
	rc = seen == 7u ? 0 : -1;
out:
	if (it != NULL)
		cbor_decref(&it);
	if (rc < 0) {
		wa_att_clear(att);
		wa_why_set(why, "malformed");
	}
	return rc;
}

void
wa_att_clear(struct wa_att *att)
{
	free(att->auth);
	free(att->stmt);
	memset(att, 0, sizeof(*att));
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* The attested credential data (WebAuthn 6.5.1) from *pos on. */
static int
auth_attested(const uint8_t *p, size_t len, size_t *pos, struct wa_auth *a,
	      struct wa_why *why)
{
	size_t n;

	if (len - *pos < 18)
		return -1;
	a->aaguid = p + *pos;
	n = (size_t)p[*pos + 16] << 8 | p[*pos + 17];
	*pos += 18;
	if (n == 0 || n > WA_CRED_ID_MAX) {
		wa_why_set(why, "credential_id");
		return -1;
	}
	if (len - *pos < n)
		return -1;
	a->cred_id = p + *pos;
	a->cred_id_len = n;
	*pos += n;
	n = wa_cbor_span(p + *pos, len - *pos);
	if (n == 0 || p[*pos] >> 5 != 5)
		return -1;
	a->cose = p + *pos;
	a->cose_len = n;
	*pos += n;
	return 0;
}

int
wa_auth_parse(const uint8_t *p, size_t len, int need_at, struct wa_auth *a,
	      struct wa_why *why)
{
	size_t pos = 37, n;

	memset(a, 0, sizeof(*a));
	wa_why_set(why, "malformed");
	if (p == NULL || len < 37)
		return -1;
	a->rp_hash = p;
	a->flags = p[32];
	a->count = be32(p + 33);
	if (a->flags & WA_FLAG_AT) {
		if (auth_attested(p, len, &pos, a, why) < 0)
			return -1;
	} else if (need_at) {
		return -1;
	}
	if (a->flags & WA_FLAG_ED) {
		/* Extensions: one map, skipped by its CBOR length. */
		n = wa_cbor_span(p + pos, len - pos);
		if (n == 0 || p[pos] >> 5 != 5)
			return -1;
		a->ext = p + pos;
		a->ext_len = n;
		pos += n;
	}
	return pos == len ? 0 : -1;
}

/* The members of a COSE_Key (RFC 9052 7) that we read. */
struct cose {
	int64_t kty, alg, crv;
	const cbor_item_t *m1, *m2, *m3; /* labels -1, -2, -3 */
};

static int
cose_read(const cbor_item_t *it, struct cose *k)
{
	struct cbor_pair *pr = cbor_map_handle(it);
	int64_t label, v;
	unsigned seen = 0;

	memset(k, 0, sizeof(*k));
	for (size_t i = 0; i < cbor_map_size(it); i++) {
		if (cbor_int_of(pr[i].key, &label) < 0 || label < -3 ||
		    label > 3)
			continue; /* other labels (kid, key_ops) are ignored */
		if (seen & 1u << (label + 3))
			return -1;
		seen |= 1u << (label + 3);
		if (label == 1 || label == 3) {
			if (cbor_int_of(pr[i].value, &v) < 0)
				return -1;
			*(label == 1 ? &k->kty : &k->alg) = v;
		} else if (label == -1) {
			k->m1 = pr[i].value;
		} else if (label == -2) {
			k->m2 = pr[i].value;
		} else if (label == -3) {
			k->m3 = pr[i].value;
		}
	}
	if (k->m1 != NULL && cbor_int_of(k->m1, &v) == 0)
		k->crv = v;
	return 0;
}

/* Bytes of a definite byte string of exactly n bytes (n 0: 1..256). */
static const uint8_t *
cose_bytes(const cbor_item_t *it, size_t n, size_t *got)
{
	size_t l;

	if (it == NULL || !cbor_isa_bytestring(it) ||
	    !cbor_bytestring_is_definite(it))
		return NULL;
	l = cbor_bytestring_length(it);
	if ((n != 0 && l != n) || l == 0 || l > 256)
		return NULL;
	if (got != NULL)
		*got = l;
	return cbor_bytestring_handle(it);
}

/* The libfido2 key for alg from the COSE members, or NULL. */
static void *
cose_pk(const struct cose *k)
{
	uint8_t buf[259] = {0};
	const uint8_t *x, *y;
	size_t nl = 0, el = 0;
	void *pk = NULL;

	if (k->alg == WA_ES256) {
		x = cose_bytes(k->m2, 32, NULL);
		y = cose_bytes(k->m3, 32, NULL);
		if (k->kty != 2 || x == NULL || y == NULL)
			return NULL;
		memcpy(buf, x, 32);
		memcpy(buf + 32, y, 32);
		pk = es256_pk_new();
		if (pk != NULL && es256_pk_from_ptr(pk, buf, 64) != FIDO_OK)
			es256_pk_free((es256_pk_t **)&pk);
	} else if (k->alg == WA_EDDSA) {
		x = cose_bytes(k->m2, 32, NULL);
		if (k->kty != 1 || x == NULL)
			return NULL;
		pk = eddsa_pk_new();
		if (pk != NULL && eddsa_pk_from_ptr(pk, x, 32) != FIDO_OK)
			eddsa_pk_free((eddsa_pk_t **)&pk);
	} else if (k->alg == WA_RS256) {
		/* libfido2 takes n (256 bytes: RSA-2048) then e (3 bytes). */
		x = cose_bytes(k->m1, 256, &nl);
		y = cose_bytes(k->m2, 0, &el);
		if (k->kty != 3 || x == NULL || y == NULL || el > 3)
			return NULL;
		memcpy(buf, x, nl);
		memcpy(buf + 256 + 3 - el, y, el);
		pk = rs256_pk_new();
		if (pk != NULL && rs256_pk_from_ptr(pk, buf, 259) != FIDO_OK)
			rs256_pk_free((rs256_pk_t **)&pk);
	}
	return pk;
}

static void
pk_free(int alg, void *pk)
{
	if (alg == WA_ES256)
		es256_pk_free((es256_pk_t **)&pk);
	else if (alg == WA_EDDSA)
		eddsa_pk_free((eddsa_pk_t **)&pk);
	else if (alg == WA_RS256)
		rs256_pk_free((rs256_pk_t **)&pk);
}

/* The key of a COSE_Key's bytes: *alg and the libfido2 key (free with
 * pk_free), or NULL with why. An algorithm or curve we do not take is
 * "algorithm"; a key that cannot be one is "public_key". */
static void *
cose_load(const uint8_t *p, size_t len, int *alg, struct wa_why *why)
{
	cbor_item_t *it = NULL;
	struct cose k;
	void *pk = NULL;

	wa_why_set(why, "public_key");
	if (p == NULL || len > WA_PUBKEY_MAX)
		return NULL;
	it = cbor_load_exact(p, len);
	if (it == NULL || !cbor_isa_map(it) || !cbor_map_is_definite(it) ||
	    cose_read(it, &k) < 0)
		goto out;
	if ((k.alg != WA_ES256 && k.alg != WA_EDDSA && k.alg != WA_RS256) ||
	    (k.alg == WA_ES256 && k.crv != 1) ||
	    (k.alg == WA_EDDSA && k.crv != 6)) {
		wa_why_set(why, "algorithm");
		goto out;
	}
	*alg = (int)k.alg;
	pk = cose_pk(&k);
out:
	if (it != NULL)
		cbor_decref(&it);
	return pk;
}

int
wa_cose_check(const uint8_t *cose, size_t len, int *alg, struct wa_why *why)
{
	void *pk = cose_load(cose, len, alg, why);

	if (pk == NULL)
		return -1;
	pk_free(*alg, pk);
	return 0;
}

int
wa_sig_verify(const char *rp_id, int alg, const uint8_t *cose,
	      size_t cose_len, const uint8_t *auth, size_t auth_len,
	      const uint8_t cdh[32], const uint8_t *sig, size_t sig_len,
	      struct wa_why *why)
{
	fido_assert_t *as = NULL;
	int key_alg = 0, rc = -1;
	void *pk = cose_load(cose, cose_len, &key_alg, why);

	if (pk == NULL)
		return -1;
	if (key_alg != alg) {
		wa_why_set(why, "public_key");
		goto out;
	}
	wa_why_set(why, "malformed");
	as = fido_assert_new();
	if (as == NULL || fido_assert_set_count(as, 1) != FIDO_OK ||
	    fido_assert_set_rp(as, rp_id) != FIDO_OK ||
	    fido_assert_set_clientdata_hash(as, cdh, 32) != FIDO_OK ||
	    fido_assert_set_authdata_raw(as, 0, auth, auth_len) != FIDO_OK)
		goto out;
	/* The flags were checked by the caller, with our own words. */
	wa_why_set(why, "signature");
	if (sig == NULL || sig_len == 0 || sig_len > WA_SIG_MAX ||
	    fido_assert_set_sig(as, 0, sig, sig_len) != FIDO_OK ||
	    fido_assert_set_up(as, FIDO_OPT_OMIT) != FIDO_OK ||
	    fido_assert_set_uv(as, FIDO_OPT_OMIT) != FIDO_OK)
		goto out;
	rc = fido_assert_verify(as, 0, alg, pk) == FIDO_OK ? 0 : -1;
out:
	fido_assert_free(&as);
	pk_free(key_alg, pk);
	return rc;
}

/* libfido2 refuses a statement whose authData carries extension outputs
 * that were not requested (check_extensions in cred.c). We request none
 * ourselves, the browser does (Chrome asks security keys for credProtect
 * on discoverable credentials): so show libfido2 as requested exactly the
 * outputs it will read, those of CTAP 2.1 it knows. 0 or -1. */
static int
ext_mirror(fido_cred_t *c, const uint8_t *ext, size_t len)
{
	cbor_item_t *it;
	struct cbor_pair *pr;
	int mask = 0, rc = 0;
	int64_t v;

	if (ext == NULL)
		return 0;
	it = cbor_load_exact(ext, len);
	if (it == NULL || !cbor_isa_map(it) || !cbor_map_is_definite(it)) {
		rc = -1;
		goto out;
	}
	pr = cbor_map_handle(it);
	for (size_t i = 0; i < cbor_map_size(it); i++)
		if ((cbor_text_is(pr[i].key, "hmac-secret") ||
		     cbor_text_is(pr[i].key, "credBlob")) &&
		    cbor_is_bool(pr[i].value) &&
		    cbor_ctrl_value(pr[i].value) == CBOR_CTRL_TRUE)
			mask |= cbor_text_is(pr[i].key, "credBlob") ?
					FIDO_EXT_CRED_BLOB :
					FIDO_EXT_HMAC_SECRET;
	if (fido_cred_set_extensions(c, mask) != FIDO_OK)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < cbor_map_size(it); i++) {
		if (cbor_int_of(pr[i].value, &v) < 0 || v < 1 || v > 255)
			continue;
		if (cbor_text_is(pr[i].key, "credProtect") &&
		    fido_cred_set_prot(c, (int)v) != FIDO_OK)
			rc = -1;
		if (cbor_text_is(pr[i].key, "minPinLength") &&
		    fido_cred_set_pin_minlen(c, (size_t)v) != FIDO_OK)
			rc = -1;
	}
out:
	if (it != NULL)
		cbor_decref(&it);
	return rc;
}

int
wa_att_verify(const char *rp_id, int alg, const struct wa_att *att,
	      const struct wa_auth *a, const uint8_t cdh[32],
	      char att_type[8], struct wa_why *why)
{
	fido_cred_t *c = fido_cred_new();
	int rc = -1;

	wa_why_set(why, "attestation");
	/* Self attestation signs with the credential's own key, so its alg
	 * must be the credential's (WebAuthn 8.2, step 3 of "no x5c"). */
	if (c == NULL || (!att->stmt_x5c && (strcmp(att->fmt, "packed") != 0 ||
					     att->stmt_alg != alg)))
		goto out;
	if (ext_mirror(c, a->ext, a->ext_len) < 0 ||
	    fido_cred_set_type(c, alg) != FIDO_OK ||
	    fido_cred_set_fmt(c, att->fmt) != FIDO_OK ||
	    fido_cred_set_rp(c, rp_id, NULL) != FIDO_OK ||
	    fido_cred_set_clientdata_hash(c, cdh, 32) != FIDO_OK ||
	    fido_cred_set_authdata_raw(c, att->auth, att->auth_len) !=
		    FIDO_OK ||
	    fido_cred_set_attstmt(c, att->stmt, att->stmt_len) != FIDO_OK)
		goto out;
	if (att->stmt_x5c)
		rc = fido_cred_verify(c) == FIDO_OK ? 0 : -1;
	else
		rc = fido_cred_verify_self(c) == FIDO_OK ? 0 : -1;
	if (rc == 0)
		snprintf(att_type, 8, "%s", att->stmt_x5c ? "basic" : "self");
out:
	fido_cred_free(&c);
	return rc;
}
