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
 *
 * What iperf3 measures with one stream, without its control connection
 * (which a DNAT'd path would have to carry too) and without its libraries. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
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

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	memset(buf, 'x', sizeof(buf));
	if (argc == 3 && strcmp(argv[1], "sink") == 0)
		return sink(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "now") == 0) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
		return 0;
	}
	if (argc == 5 && strcmp(argv[1], "send") == 0)
		return send_for(argv[2], atoi(argv[3]), atof(argv[4]));
	fprintf(stderr, "usage: bulk sink PORT | bulk send IP PORT SECONDS | bulk now\n");
	return 2;
}
