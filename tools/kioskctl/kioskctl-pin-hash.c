/* kioskctl-pin-hash.c — `kioskctl pin-hash`: turns a technician PIN read
 * from standard input into the libsodium crypto_pwhash string that
 * board.conf's [screen] pin_hash = holds (the kiosk never stores the PIN). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "kioskctl.h"
#include "tools-common.h"

static void print_help(void)
{
	printf("Usage: kioskctl pin-hash < PINFILE\n\n"
	       "Reads a technician PIN (4 to 12 digits) from the first line of standard\n"
	       "input and prints the line to put in board.conf:\n"
	       "  pin_hash = $argon2id$...\n"
	       "Five wrong PINs in a row lock the technician menu for five minutes.\n");
}

int cmd_pin_hash(int argc, char **argv)
{
	static const struct option opts[] = { { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char pin[64] = "", hash[crypto_pwhash_STRBYTES];
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h') {
			print_help();
			return EXIT_OK;
		}
		return usage_error("pin-hash", "unknown option");
	}
	if (optind != argc)
		return usage_error("pin-hash", "the PIN is read from standard input, not the command line");
	if (!fgets(pin, sizeof(pin), stdin))
		return usage_error("pin-hash", "no PIN on standard input");
	pin[strcspn(pin, "\r\n")] = 0;
	size_t n = strlen(pin);
	if (n < 4 || n > 12 || strspn(pin, "0123456789") != n)
		return usage_error("pin-hash", "the PIN must be 4 to 12 digits (the touch pad has digits only)");
	if (sodium_init() < 0 ||
	    crypto_pwhash_str(hash, pin, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			      crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
		fprintf(stderr, "kioskctl pin-hash: out of memory\n");
		return EXIT_FAIL;
	}
	sodium_memzero(pin, sizeof(pin));
	printf("pin_hash = %s\n", hash);
	return EXIT_OK;
}
