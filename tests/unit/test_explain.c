/* test_explain.c - what --explain writes: prompts, shell quoting (bare,
 * '...', $'...' for control characters), comments, here-documents, one write
 * per line, close-on-exec, and nothing once stopped. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/explain.h"
#include "tap.h"

static int rd = -1;

/* Everything written since the last call. */
static const char *got(void)
{
	static char buf[4096];
	ssize_t n = read(rd, buf, sizeof(buf) - 1);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Which fds below 256 are open, as a bit string. */
static void open_fds(char open[256])
{
	for (int fd = 0; fd < 256; fd++)
		open[fd] = fcntl(fd, F_GETFD) >= 0;
}

/* Exactly one fd more than in before, and it is close-on-exec. */
static int one_new_cloexec(const char before[256])
{
	char now[256];
	int n = 0, ok = 1;

	open_fds(now);
	for (int fd = 0; fd < 256; fd++)
		if (now[fd] && !before[fd]) {
			n++;
			ok &= (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
		}
	return n == 1 && ok;
}

int main(void)
{
	char before[256];
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return 1;
	rd = p[0];
	CHECK(!explain_on());
	EXPLAIN(EXPLAIN_HOST, "ip", "link", "set", "mini0", "up");
	CHECK_STR(got(), "");

	open_fds(before);
	CHECK(explain_start(p[1]) == 0);
	CHECK(one_new_cloexec(before));
	close(p[1]);
	CHECK(explain_on());

	EXPLAIN(EXPLAIN_HOST, "ip", "link", "set", "mini0", "up");
	CHECK_STR(got(), "host# ip link set mini0 up\n");
	EXPLAIN(EXPLAIN_CTR, "mount", "-t", "proc", "proc", "merged/proc");
	CHECK_STR(got(), "ctr# mount -t proc proc merged/proc\n");
	EXPLAIN(EXPLAIN_HOST, "nft", "add", "element", "inet", "minirun", "ports_any",
		"{ tcp . 8080 : 10.99.0.2 . 80 }");
	CHECK_STR(got(), "host# nft add element inet minirun ports_any "
			 "'{ tcp . 8080 : 10.99.0.2 . 80 }'\n");
	/* a release as nft takes it: the timeout between key and data */
	EXPLAIN(EXPLAIN_HOST, "nft", "add", "element", "bridge", "minirun", "allowed_src",
		"{ \"mr0123456789ab\" . 02:42:0a:63:00:02 . 10.99.0.2 timeout 1s expires 1ms }");
	CHECK_STR(got(), "host# nft add element bridge minirun allowed_src "
			 "'{ \"mr0123456789ab\" . 02:42:0a:63:00:02 . 10.99.0.2 timeout 1s expires "
			 "1ms }'\n");
	EXPLAIN(EXPLAIN_CTR, "exec", "sh", "-c", "echo it's", "");
	CHECK_STR(got(), "ctr# exec sh -c 'echo it'\\''s' ''\n");
	EXPLAIN(EXPLAIN_CTR, "hostname", "a\033]0;x\x07\\'b");
	CHECK_STR(got(), "ctr# hostname $'a\\x1b]0;x\\x07\\\\\\'b'\n");
	explain_cmdv(EXPLAIN_CTR, (const char *const[]){"exec", NULL},
		     (const char *const[]){"sleep", "1", NULL});
	CHECK_STR(got(), "ctr# exec sleep 1\n");

	explain_note("why: %s", "line\nbreak");
	CHECK_STR(got(), "# why: line?break\n");
	explain_heredoc(EXPLAIN_HOST, "nft -f -", "table inet t {\n}\n");
	CHECK_STR(got(), "host# nft -f - <<'EOF'\ntable inet t {\n}\nEOF\n");

	explain_stop();
	CHECK(!explain_on());
	EXPLAIN(EXPLAIN_HOST, "ip", "link", "set", "mini0", "up");
	CHECK_STR(got(), "");
	close(rd);
	return tap_done();
}
