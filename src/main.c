/* Command-line entry point (being built: see issue 2). */
#include <stdio.h>

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "usage: gatehouse init|serve|staff|customer|audit|scan\n");
	return 2;
}
