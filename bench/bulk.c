/* bulk.c - the throughput bench's own bulk sender and sink (built static, so
 * it runs inside the busybox rootfs as well as on the host).
 *
 *   bulk sink PORT             accept TCP connections one after another and
 *                              read each to its end, forever
 *   bulk send IP PORT SECONDS  connect, write as fast as the path takes for
 *                              SECONDS, print the rate in Mbit/s
 *   bulk now                   print CLOCK_MONOTONIC in ns (the same clock
 *                              in every namespace): run as the container's
 *                              command, it dates the container's exec
 *   bulk time RUNS CMD [ARG...]
 *                              run CMD RUNS times, one after another, and
 *                              print each run's wall time in microseconds,
 *                              from just before fork to its reaping
 *   bulk exec RUNS CMD [ARG...]
 *                              the same, but print the microseconds from
 *                              just before fork to the time CMD's last line
 *                              of output names (its `bulk now`)
 *   bulk get IP PORT RUNS      fetch http://IP:PORT/ RUNS times, print each
 *                              fetch's microseconds (connect to close)
 *
 * The timers are here, not in the shell: `$(date +%s%N)` around a command
 * adds date's own fork and exec (1-3 ms) to every sample.
 *
 * What iperf3 measures with one stream, without its control connection
 * (which a DNAT'd path would have to carry too) and without its libraries. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024)

static char buf[BUF_SIZE];

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int sink(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 8) < 0) {
		perror("bulk: sink");
		return 1;
	}
	for (;;) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
		if (c < 0) {
			if (errno == EINTR)
				continue;
			perror("bulk: accept");
			return 1;
		}
		while (read(c, buf, sizeof(buf)) > 0)
			;
		close(c);
	}
}

static int send_for(const char *ip, int port, double seconds)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unsigned long long bytes = 0;
	double t0, t;

	if (fd < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "bulk: connect %s:%d: %s\n", ip, port, strerror(errno));
		return 1;
	}
	t0 = t = now();
	while (t - t0 < seconds) {
		ssize_t n = write(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			perror("bulk: write");
			return 1;
		}
		bytes += (unsigned long long)n;
		t = now();
	}
	close(fd);
	printf("%.0f\n", (double)bytes * 8 / (t - t0) / 1e6);
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* One run of cmd; its wall time in ns, or with want_exec the time to the
 * clock value its output ends with. -1 when it fails. */
static long long run_once(char **cmd, int want_exec)
{
	char out[4096];
	size_t len = 0;
	int p[2], status;
	long long t0, end = -1;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	t0 = now_ns();
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		dup2(want_exec ? p[1] : null, 1); /* its errors stay on stderr */
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[1]);
	for (ssize_t n; pid > 0 && (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0;)
		len += (size_t)n;
	close(p[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	if (!want_exec)
		end = now_ns();
	else if (len > 0) {
		out[len] = 0;
		while (len > 0 && out[len - 1] == '\n')
			out[--len] = 0;
		char *last = strrchr(out, '\n');
		end = atoll(last ? last + 1 : out);
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || end < t0)
		return -1;
	return end - t0;
}

/* A failed run prints no sample (and makes the exit status 1), so that a
 * median is never taken over failures. */
static int time_runs(int runs, char **cmd, int want_exec)
{
	int failed = 0;

	for (int i = 0; i < runs; i++) {
		long long ns = run_once(cmd, want_exec);
		if (ns < 0) {
			fprintf(stderr, "bulk: %s failed\n", cmd[0]);
			failed = 1;
			continue;
		}
		printf("%lld\n", ns / 1000);
		fflush(stdout);
	}
	return failed;
}

/* One HTTP/1.0 GET of / at ip:port, answered to its end: microseconds from
 * connect to the server's close, or -1. No process start in the sample, so
 * it shows the path (and the DNAT) rather than a client's startup. */
static long long get_once(const char *ip, int port)
{
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	long long t0 = now_ns(), got = 0;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0 || inet_pton(AF_INET, ip, &sa.sin_addr) != 1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, sizeof(req) - 1) != (ssize_t)sizeof(req) - 1) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		got += n;
	close(fd);
	return n == 0 && got > 0 ? (now_ns() - t0) / 1000 : -1;
}

static int get_runs(const char *ip, int port, int runs)
{
	int failed = 0;

	for (int i = 0; i < runs; i++) {
		long long us = get_once(ip, port);
		if (us < 0) {
			fprintf(stderr, "bulk: GET %s:%d failed\n", ip, port);
			failed = 1;
			continue;
		}
		printf("%lld\n", us);
	}
	return failed;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	memset(buf, 'x', sizeof(buf));
	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		printf("%lld\n", now_ns());
		return 0;
	}
	if (argc >= 4 && (strcmp(argv[1], "time") == 0 || strcmp(argv[1], "exec") == 0))
		return time_runs(atoi(argv[2]), argv + 3, argv[1][0] == 'e');
	if (argc == 5 && strcmp(argv[1], "get") == 0)
		return get_runs(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_for(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: bulk sink PORT | bulk send IP PORT SECONDS | bulk now | "
			"bulk time|exec RUNS CMD... | bulk get IP PORT RUNS\n");
	return 2;
}
