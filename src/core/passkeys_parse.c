/*
 * The WebAuthn L3 JSON forms a browser sends (RegistrationResponseJSON,
 * AuthenticationResponseJSON), read strictly before anything else looks
 * at them: each member has its type and, decoded from base64url, its
 * largest size; the top level holds only the members the specification
 * names; unknown members of `response` and `clientExtensionResults` are
 * ignored, as the specification asks of relying parties. `id` must be
 * `rawId` exactly. Nothing here verifies: the verifier does
 * (crypto/webauthn.h), on the bytes decoded here.
 */
#include <stdio.h>
#include <string.h>

#include "core/passkeys_int.h"
#include "util/errors.h"

/* The top-level members a credential may have. */
static const char *const top_members[] = {
	"id", "rawId", "type", "response", "authenticatorAttachment",
	"clientExtensionResults", NULL};

/* Base64url text of at most max_bytes decoded: at most this many
 * characters. */
#define B64_CHARS(max_bytes) (((max_bytes) * 4 + 2) / 3)

/* 1 when cred has a member top_members does not name: it has more
 * members than the known ones it holds. */
static int
unknown_top(const json_t *cred)
{
	size_t known = 0;

	for (size_t i = 0; top_members[i] != NULL; i++)
		known += json_object_get(cred, top_members[i]) != NULL;
	return json_object_size(cred) > known;
}

/* Member key of obj as base64url decoded into out (outsz bytes).
 * Absent: -GH_MISSING_FIELD when required, else 0 with *len_out 0. */
static int
b64_member(const json_t *obj, const char *key, int required, uint8_t *out,
	   size_t outsz, size_t *len_out)
{
	const json_t *v = json_object_get(obj, key);
	const char *s;
	size_t n;
	long got;

	*len_out = 0;
	if (v == NULL || (!required && json_is_null(v)))
		return required ? -GH_MISSING_FIELD : 0;
	if (!json_is_string(v))
		return -GH_BAD_FIELD;
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > B64_CHARS(outsz) || strlen(s) != n)
		return -GH_BAD_FIELD;
	got = webauthn_b64url_decode(s, out, outsz);
	if (got <= 0)
		return -GH_BAD_FIELD;
	*len_out = (size_t)got;
	return 0;
}

/* The members every credential has: only known ones at the top, id equal
 * to rawId and decoded into raw_id, type "public-key", the optional ones
 * of their type; *response_out the response object. */
static int
common_members(const json_t *cred, uint8_t *raw_id, size_t *raw_id_len,
	       const json_t **response_out, const char **field)
{
	const json_t *v, *id;
	int rc;

	*field = "credential";
	if (!json_is_object(cred))
		return -GH_BAD_FIELD;
	if (unknown_top(cred))
		return -GH_UNKNOWN_FIELD;
	*field = "credential.rawId";
	rc = b64_member(cred, "rawId", 1, raw_id, PK_RAW_ID_MAX, raw_id_len);
	if (rc < 0)
		return rc;
	*field = "credential.id";
	id = json_object_get(cred, "id");
	if (id == NULL)
		return -GH_MISSING_FIELD;
	if (!json_is_string(id) ||
	    !json_equal(id, json_object_get(cred, "rawId")))
		return -GH_BAD_FIELD;
	*field = "credential.type";
	v = json_object_get(cred, "type");
	if (v == NULL)
		return -GH_MISSING_FIELD;
	if (!json_is_string(v) || strcmp(json_string_value(v), "public-key"))
		return -GH_BAD_FIELD;
	*field = "credential.authenticatorAttachment";
	v = json_object_get(cred, "authenticatorAttachment");
	if (v != NULL && !json_is_null(v) &&
	    (!json_is_string(v) || json_string_length(v) > 32))
		return -GH_BAD_FIELD;
	*field = "credential.clientExtensionResults";
	v = json_object_get(cred, "clientExtensionResults");
	if (v != NULL && !json_is_object(v))
		return -GH_BAD_FIELD;
	*field = "credential.response";
	*response_out = json_object_get(cred, "response");
	if (*response_out == NULL)
		return -GH_MISSING_FIELD;
	if (!json_is_object(*response_out))
		return -GH_BAD_FIELD;
	return 0;
}

/* response.transports: an array of at most 8 short strings; the known
 * ones are kept, comma-separated, in out (others are ignored, as the
 * specification asks). */
static int
transports(const json_t *resp, char *out, size_t outsz)
{
	static const char *const known[] = {"usb", "nfc", "ble", "smart-card",
					    "hybrid", "internal", NULL};
	const json_t *arr = json_object_get(resp, "transports");
	const json_t *v;
	size_t i;

	out[0] = '\0';
	if (arr == NULL || json_is_null(arr))
		return 0;
	if (!json_is_array(arr) || json_array_size(arr) > 8)
		return -GH_BAD_FIELD;
	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL || json_string_length(v) > 32)
			return -GH_BAD_FIELD;
		for (size_t k = 0; known[k] != NULL; k++)
			if (strcmp(s, known[k]) == 0 && strstr(out, s) == NULL)
				snprintf(out + strlen(out), outsz - strlen(out),
					 "%s%s", out[0] != '\0' ? "," : "", s);
	}
	return 0;
}

int
pk_parse_registration(const json_t *cred, struct pk_reg_resp *out,
		      const char **field)
{
	const json_t *resp = NULL, *v;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = common_members(cred, out->raw_id, &out->raw_id_len, &resp, field);
	if (rc < 0)
		return rc;
	*field = "credential.response.clientDataJSON";
	rc = b64_member(resp, "clientDataJSON", 1, out->client_data,
			sizeof(out->client_data), &out->client_data_len);
	if (rc < 0)
		return rc;
	*field = "credential.response.attestationObject";
	rc = b64_member(resp, "attestationObject", 1, out->att_obj,
			sizeof(out->att_obj), &out->att_obj_len);
	if (rc < 0)
		return rc;
	*field = "credential.response.transports";
	rc = transports(resp, out->transports, sizeof(out->transports));
	if (rc < 0)
		return rc;
	/* The convenience members (L3) are not used: the attestation object
	 * holds the same, verified. Only their types are checked. */
	*field = "credential.response.publicKeyAlgorithm";
	v = json_object_get(resp, "publicKeyAlgorithm");
	if (v != NULL && !json_is_integer(v) && !json_is_null(v))
		return -GH_BAD_FIELD;
	*field = "credential.response.publicKey";
	v = json_object_get(resp, "publicKey");
	if (v != NULL && !json_is_string(v) && !json_is_null(v))
		return -GH_BAD_FIELD;
	*field = "credential.response.authenticatorData";
	v = json_object_get(resp, "authenticatorData");
	if (v != NULL && !json_is_string(v) && !json_is_null(v))
		return -GH_BAD_FIELD;
	*field = NULL;
	return 0;
}

int
pk_parse_assertion(const json_t *cred, struct pk_assert_resp *out,
		   const char **field)
{
	const json_t *resp = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = common_members(cred, out->raw_id, &out->raw_id_len, &resp, field);
	if (rc < 0)
		return rc;
	*field = "credential.response.clientDataJSON";
	rc = b64_member(resp, "clientDataJSON", 1, out->client_data,
			sizeof(out->client_data), &out->client_data_len);
	if (rc < 0)
		return rc;
	*field = "credential.response.authenticatorData";
	rc = b64_member(resp, "authenticatorData", 1, out->auth_data,
			sizeof(out->auth_data), &out->auth_data_len);
	if (rc < 0)
		return rc;
	*field = "credential.response.signature";
	rc = b64_member(resp, "signature", 1, out->sig, sizeof(out->sig),
			&out->sig_len);
	if (rc < 0)
		return rc;
	*field = "credential.response.userHandle";
	rc = b64_member(resp, "userHandle", 0, out->user_handle,
			sizeof(out->user_handle), &out->user_handle_len);
	if (rc < 0)
		return rc;
	*field = NULL;
	return 0;
}

int
pk_client_challenge(const uint8_t *client_data, size_t len,
		    char out[PK_CHALLENGE_B64])
{
	json_t *root = json_loadb((const char *)client_data, len,
				  JSON_REJECT_DUPLICATES, NULL);
	const json_t *v = json_object_get(root, "challenge");
	int rc = -1;

	out[0] = '\0';
	if (json_is_string(v) && json_string_length(v) > 0 &&
	    json_string_length(v) < PK_CHALLENGE_B64 &&
	    strlen(json_string_value(v)) == json_string_length(v)) {
		snprintf(out, PK_CHALLENGE_B64, "%s", json_string_value(v));
		rc = 0;
	}
	json_decref(root);
	return rc;
}
