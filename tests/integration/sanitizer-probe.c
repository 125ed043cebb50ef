/* sanitizer-probe.c — writes one byte past a heap buffer. Built only in the
 * sanitizer tree, where AddressSanitizer must report it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
	(void)argv;
	char *p = malloc(8);
	volatile size_t n = 8 + (size_t)argc; /* 9: one too many */

	if (!p)
		return 1;
	memset(p, 'x', n);
	printf("no sanitizer caught the overflow (%c)\n", p[0]);
	free(p);
	return 0;
}
