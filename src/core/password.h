/*
 * Password policy per NIST SP 800-63B: length bounds counted in Unicode
 * code points after NFKC normalisation (ICU), no composition rules, and a
 * check against common and breached passwords: the John the Ripper list
 * from Debian's john-data (embedded at build time), zxcvbn's guess
 * estimate (libzxcvbn, whose dictionaries hold ~30k common passwords and
 * words), and context words (the user's e-mail, name, the product name).
 *
 * It states the reason for a rejection in plain words, never echoing the
 * password.
 */
#ifndef GH_CORE_PASSWORD_H
#define GH_CORE_PASSWORD_H

#include <stddef.h>

/* Floors compiled in: configuration may raise min_length, never lower. */
#define PASSWORD_MIN_FLOOR 12
#define PASSWORD_MAX_CHARS 256
/* Bytes accepted on input before normalisation (4 bytes per char max). */
#define PASSWORD_MAX_BYTES 1024

struct password_blocklist;

struct password_policy {
	unsigned min_length; /* >= PASSWORD_MIN_FLOOR */
	/* zxcvbn entropy floor in bits (log2 of guesses); 0 disables. */
	double min_entropy_bits;
};

/*
 * NFKC-normalises pw (len bytes, must be valid UTF-8 without NUL) into a
 * crypto_secret_alloc'd NUL-terminated buffer *out (free with
 * crypto_secret_free), *outlen bytes. Used both when a password is set and
 * at every login, so the same typed characters always hash the same.
 * Returns 0, or -GH_BAD_UTF8 / -GH_BAD_FIELD (too long).
 */
int password_normalize(const char *pw, size_t len, char **out,
		       size_t *outlen);

/*
 * Checks an already normalised password against the policy. context is a
 * NULL-terminated list of words the password must not be built from (may
 * be NULL). Returns 0 or -GH_WEAK_PASSWORD with *reason set to a static
 * English sentence.
 */
int password_check(const struct password_policy *policy, const char *norm,
		   const char *const *context, const char **reason);

/*
 * The new password of a change or a reset (staff and customers alike):
 * valid text (next_bad 0), not the current one (cur_hash, its stored
 * hash), and within the policy with the local part of email, the name,
 * the company and the product as context words. Returns 0, or
 * -GH_WEAK_PASSWORD / -GH_PASSWORD_REUSED with *why set to a phrase for
 * the log and, for a weak one, *reason to the sentence for the user.
 */
int password_check_new(const struct password_policy *policy,
		       const char *cur_hash, const char *next, size_t next_len,
		       int next_bad, const char *email, const char *name,
		       const char *company, const char **reason,
		       const char **why);

/*
 * The operator's extra blocklist (core/password_list.c): reads path, one
 * password a line (empty lines and lines starting with '#' skipped),
 * each NFKC-normalised and ASCII-lower-cased as password_check compares.
 * 0 with *out (free with password_blocklist_free), or an error with a
 * sentence naming the file (and line) in err.
 */
int password_blocklist_load(const char *path, struct password_blocklist **out,
			    char *err, size_t errsz);
/* 1 when lower (len bytes, normalised and lower-cased) is listed; 0 when
 * not or b is NULL. */
int password_blocklist_has(const struct password_blocklist *b,
			   const char *lower, size_t len);
/* The number of entries (0 for NULL). */
size_t password_blocklist_size(const struct password_blocklist *b);
void password_blocklist_free(struct password_blocklist *b);
/*
 * Makes b (borrowed; NULL: none) the extra list every password_check
 * consults from now on, besides the shipped one. Set once at start-up
 * (app_open) before any thread checks a password, and cleared
 * (NULL) before b is freed; returns the list it replaces.
 */
const struct password_blocklist *
password_blocklist_install(const struct password_blocklist *b);
/* The list installed, or NULL. */
const struct password_blocklist *password_blocklist_installed(void);

#endif
