/* test-ctl.c — the control socket's path (firmware/ctl.h): a client that
 * finds the file can connect at once (the file appears only once the
 * socket listens), the mode is 0660, a stale file is replaced, no side
 * file is left behind, and a path too long is refused. A refusal's message
 * is valid UTF-8 however long or odd the text put in it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "loop.h"

/* Rounds of "make the socket while a client spins on connect". The window
 * the old code left (bind() made the file, listen() came later) is a few
 * microseconds; a client spinning on another core met it in a sizeable
 * share of rounds, so a few hundred rounds catch it. */
#define ROUNDS 300

struct prober {
	const char *path;
	atomic_int spinning;   /* set once the first connect() was tried */
	int result;            /* 0 connected, else the first errno not ENOENT */
	long tries;            /* connect() calls made */
};

/* Spins on connect() until the path answers with anything but ENOENT. */
static void *probe(void *arg)
{
	struct prober *p = arg;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", p->path);
	for (;;) {
		int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		assert_true(fd >= 0);
		int rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
		int e = errno;
		close(fd);
		p->tries++;
		atomic_store(&p->spinning, 1);
		if (rc == 0) {
			p->result = 0;
			return NULL;
		}
		if (e != ENOENT) {
			p->result = e;
			return NULL;
		}
	}
}

static char *tmp_dir(void)
{
	char *d = strdup("/tmp/motcua-ctl-XXXXXX");

	assert_non_null(d);
	assert_non_null(mkdtemp(d));
	return d;
}

static void test_file_appears_listening(void **state)
{
	(void)state;
	char *dir = tmp_dir(), path[PATH_MAX];
	struct mc_loop *loop = mc_loop_new();
	int refused = 0, other = 0;
	long tries = 0;

	assert_non_null(loop);
	snprintf(path, sizeof(path), "%s/k.sock", dir);
	for (int i = 0; i < ROUNDS; i++) {
		struct prober p = { .path = path, .result = -1 };
		pthread_t t;

		assert_int_equal(pthread_create(&t, NULL, probe, &p), 0);
		while (!atomic_load(&p.spinning))
			sched_yield();
		struct mc_ctl *ctl = mc_ctl_new(loop, path);
		assert_non_null(ctl);
		pthread_join(t, NULL);
		tries += p.tries;
		if (p.result == ECONNREFUSED)
			refused++;
		else if (p.result != 0)
			other++;
		mc_ctl_free(ctl);
		assert_int_equal(access(path, F_OK), -1); /* removed at free */
	}
	printf("# %d rounds, %ld connect() calls: %d refused, %d other errors\n", ROUNDS, tries,
	       refused, other);
	assert_int_equal(refused, 0);
	assert_int_equal(other, 0);
	mc_loop_free(loop);
	rmdir(dir);
	free(dir);
}

/* A socket file bound and closed: what a kioskd killed with kill -9 leaves. */
static void make_stale_socket(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
}

static void test_mode_stale_and_side_file(void **state)
{
	(void)state;
	char *dir = tmp_dir(), path[PATH_MAX], side[PATH_MAX];
	struct mc_loop *loop = mc_loop_new();
	struct stat st;

	assert_non_null(loop);
	snprintf(path, sizeof(path), "%s/k.sock", dir);
	snprintf(side, sizeof(side), "%s%s", path, MC_CTL_BIND_SUFFIX);
	/* A regular file where the socket goes (a mistyped --socket) is
	 * refused and kept. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("kept\n", f);
	fclose(f);
	errno = 0;
	assert_null(mc_ctl_new(loop, path));
	assert_int_equal(errno, EEXIST);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode) && st.st_size == 5);
	unlink(path);
	/* A stale socket where the socket goes, and a stale side file from a
	 * kioskd that died between bind() and rename(): both replaced. */
	make_stale_socket(path);
	f = fopen(side, "w");
	assert_non_null(f);
	fclose(f);

	struct mc_ctl *ctl = mc_ctl_new(loop, path);
	assert_non_null(ctl);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(access(side, F_OK), -1);
	/* A socket something listens on (this one) is refused and kept. */
	errno = 0;
	assert_null(mc_ctl_new(loop, path));
	assert_int_equal(errno, EADDRINUSE);
	struct stat again;
	assert_int_equal(stat(path, &again), 0);
	assert_true(again.st_ino == st.st_ino);
	mc_ctl_free(ctl);
	assert_int_equal(access(path, F_OK), -1);
	/* At free, a file that replaced the socket meanwhile is left. */
	ctl = mc_ctl_new(loop, path);
	assert_non_null(ctl);
	unlink(path);
	make_stale_socket(path);
	mc_ctl_free(ctl);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	unlink(path);

	mc_loop_free(loop);
	rmdir(dir);
	free(dir);
}

static void test_path_too_long(void **state)
{
	(void)state;
	struct sockaddr_un sa;
	struct mc_loop *loop = mc_loop_new();
	char *dir = tmp_dir(), path[sizeof(sa.sun_path) + 8];
	size_t longest = sizeof(sa.sun_path) - strlen(MC_CTL_BIND_SUFFIX) - 1;

	assert_non_null(loop);
	/* DIR/aaa...: one byte over the limit is refused with ENAMETOOLONG
	 * and makes nothing. */
	memset(path, 'a', sizeof(path));
	memcpy(path, dir, strlen(dir));
	path[strlen(dir)] = '/';
	path[longest + 1] = 0;
	errno = 0;
	assert_null(mc_ctl_new(loop, path));
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(access(path, F_OK), -1);
	/* The longest allowed works. */
	path[longest] = 0;
	struct mc_ctl *ctl = mc_ctl_new(loop, path);
	assert_non_null(ctl);
	assert_int_equal(access(path, F_OK), 0);
	mc_ctl_free(ctl);
	assert_int_equal(access(path, F_OK), -1);
	mc_loop_free(loop);
	rmdir(dir);
	free(dir);
}

/* A message longer than the 511 bytes kept, in Vietnamese: the old code cut
 * "ă" (2 bytes) in half, jansson refused the string and the refusal went
 * out with no "message" at all (fuzz-socket found it). */
static void test_error_message_cut_on_a_character(void **state)
{
	(void)state;
	char name[1 + 300 * 2 + 1], want[600];
	json_t *resp = json_object();

	name[0] = 'x';
	for (int i = 0; i < 300; i++)
		memcpy(name + 1 + 2 * i, "ă", 2);
	name[sizeof(name) - 1] = 0;
	assert_int_equal(mc_ctl_error(resp, "unknown_command", "unknown command '%s' (try help)", name),
			 MC_CTL_FAIL);
	/* "unknown command 'x" is 18 bytes; 246 more "ă" make 510, the 247th
	 * would end at byte 512. */
	snprintf(want, sizeof(want), "unknown command 'x");
	for (int i = 0; i < 246; i++)
		strcat(want, "ă");
	assert_string_equal(json_string_value(json_object_get(resp, "message")), want);
	assert_string_equal(json_string_value(json_object_get(resp, "error")), "unknown_command");
	json_decref(resp);
}

/* Text from outside that is not UTF-8 (a file name, say): each byte that
 * starts no valid sequence becomes '?', the rest is kept. */
static void test_error_message_invalid_bytes(void **state)
{
	(void)state;
	json_t *resp = json_object();

	/* A stray byte, an overlong '/', a surrogate, a good "ă", a cut "ă". */
	mc_ctl_error(resp, "bad", "file %s", "a\xff" "b \xc0\xaf \xed\xa0\x80 \xc4\x83 \xc4");
	assert_string_equal(json_string_value(json_object_get(resp, "message")),
			    "file a?b ?? ??? \xc4\x83 ");
	json_decref(resp);
}

/* The same through the dispatcher: an unknown command whose name of
 * Vietnamese letters fills the message still gets one. */
static void test_unknown_long_command_answered(void **state)
{
	(void)state;
	struct mc_loop *loop = mc_loop_new();
	char *dir = tmp_dir(), path[200], line[600], *answer = NULL;
	size_t n;

	assert_non_null(loop);
	snprintf(path, sizeof(path), "%s/s", dir);
	struct mc_ctl *ctl = mc_ctl_new(loop, path);
	assert_non_null(ctl);
	n = (size_t)snprintf(line, sizeof(line), "{\"cmd\": \"x");
	for (int i = 0; i < 247; i++, n += 2)
		memcpy(line + n, "ă", 2);
	n += (size_t)snprintf(line + n, sizeof(line) - n, "\"}\n");
	assert_int_equal(mc_ctl_feed(ctl, line, n, &answer), 0);
	assert_non_null(answer);
	json_error_t jerr;
	json_t *a = json_loads(answer, 0, &jerr);
	assert_non_null(a);
	assert_true(json_is_false(json_object_get(a, "ok")));
	assert_string_equal(json_string_value(json_object_get(a, "error")), "unknown_command");
	const char *msg = json_string_value(json_object_get(a, "message"));
	assert_non_null(msg);
	assert_true(strncmp(msg, "unknown command 'xă", strlen("unknown command 'xă")) == 0);
	json_decref(a);
	free(answer);
	mc_ctl_free(ctl);
	mc_loop_free(loop);
	rmdir(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_appears_listening),
		cmocka_unit_test(test_mode_stale_and_side_file),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_error_message_cut_on_a_character),
		cmocka_unit_test(test_error_message_invalid_bytes),
		cmocka_unit_test(test_unknown_long_command_answered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
