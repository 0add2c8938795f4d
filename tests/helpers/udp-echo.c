/* udp-echo.c - a UDP echo server for the bridge tests (busybox's nc has no
 * UDP). Built static and put into a copy of the test rootfs.
 *
 *   udp-echo PORT    answer each datagram D from A:P with "D from A\n"
 *
 * The answer names the sender's address, so a test sees whether the
 * client's source address survived the port mapping. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: udp-echo PORT\n");
		return 2;
	}
	sa.sin_port = htons((unsigned short)atoi(argv[1]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("udp-echo");
		return 1;
	}
	for (;;) {
		char in[512], out[600], peer[INET_ADDRSTRLEN];
		struct sockaddr_in from;
		socklen_t len = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in) - 1, 0, (struct sockaddr *)&from, &len);
		int m;

		if (n < 0)
			continue;
		while (n > 0 && (in[n - 1] == '\n' || in[n - 1] == '\r'))
			n--;
		in[n] = '\0';
		inet_ntop(AF_INET, &from.sin_addr, peer, sizeof(peer));
		m = snprintf(out, sizeof(out), "%s from %s\n", in, peer);
		sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&from, len);
	}
}
