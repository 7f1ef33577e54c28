/* The empty cache the generator (hsdb.c) is linked with. */
#include "core/dlp/hscache.h"

const struct embedded_file dlp_hs_cache[] = {{0, 0, 0}};
