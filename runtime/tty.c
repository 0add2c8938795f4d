/* tty.c - pseudo-terminals for -t. The master is opened inside the container
 * (its own devpts, mounted with newinstance) and passed to minirun with
 * SCM_RIGHTS, as crun does with its console socket. */
#include "tty.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../common/cleanup.h"
#include "../common/fd.h"
#include "spawn.h"
#include "wait.h"

int tty_setup_child(int sync_fd, bool with_stdin, struct mr_err *err)
{
	struct sync_msg m = {.type = SYNC_PTY};
	char cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
	_cleanup_close_ int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	_cleanup_close_ int slave = -1;
	char name[64];

	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0)
		return mr_error(err, errno, "open a pty on the container's /dev/pts");
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return mr_error(err, errno, "open %s", name);
	/* We are a session leader already (setsid at start). */
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return mr_error(err, errno, "make %s the controlling terminal", name);
	if ((with_stdin && dup2(slave, 0) < 0) || dup2(slave, 1) < 0 || dup2(slave, 2) < 0)
		return mr_error(err, errno, "dup2 %s", name);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &master, sizeof(int));
	if (sendmsg(sync_fd, &msg, MSG_NOSIGNAL) < 0)
		return mr_error(err, errno, "send the pty to minirun");
	return 0;
}

int tty_recv_master(int sync_fd, struct mr_err *err)
{
	struct sync_msg m;
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {.iov_base = &m, .iov_len = sizeof(m)};
	struct msghdr msg = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	struct cmsghdr *cm;
	ssize_t n;
	int fd;

	do
		n = recvmsg(sync_fd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(m) && m.type == SYNC_ERROR) {
		m.text[sizeof(m.text) - 1] = '\0';
		return mr_error_status(err, m.status, 0, "%s", m.text);
	}
	cm = CMSG_FIRSTHDR(&msg);
	if (n != (ssize_t)sizeof(m) || m.type != SYNC_PTY || !cm || cm->cmsg_type != SCM_RIGHTS)
		return mr_error(err, EPROTO, "receive the container's pty");
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

void tty_copy_size(int master)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* Copy what is readable from in to out; 0 at end of input. When out is
 * gone (a reader that closed its pipe), *out_gone is set and what follows is
 * read and dropped: the container must not block on a full pty. */
static ssize_t pump(int in, int out, bool *out_gone)
{
	char buf[8192];
	ssize_t n = read(in, buf, sizeof(buf));

	if (n > 0 && !*out_gone && write_all(out, buf, (size_t)n) < 0)
		*out_gone = true;
	return n;
}

int tty_relay(pid_t pid, int master, bool interactive)
{
	struct termios saved, raw;
	bool restore = false;
	sigset_t set;
	_cleanup_close_ int sfd = -1;
	int status = -1;
	bool in_open = interactive, master_open = true;
	bool stdout_gone = false, master_gone = false;

	forwarded_signals(&set);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (interactive && isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		restore = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	}
	tty_copy_size(master);
	while (status < 0 || master_open) {
		struct pollfd p[3] = {
		    {.fd = sfd, .events = POLLIN},
		    {.fd = master_open ? master : -1, .events = POLLIN},
		    {.fd = in_open ? STDIN_FILENO : -1, .events = POLLIN},
		};
		if (poll(p, 3, status < 0 ? -1 : 100) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					tty_copy_size(master);
				else if (si.ssi_signo != SIGCHLD)
					kill(pid, (int)si.ssi_signo);
			}
		}
		if (status < 0) {
			int ws;
			if (waitpid(pid, &ws, WNOHANG) == pid)
				status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
		}
		/* EIO on the master: every slave is closed, the container is done. */
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR))
			if (pump(master, STDOUT_FILENO, &stdout_gone) <= 0)
				master_open = false;
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			if (pump(STDIN_FILENO, master, &master_gone) <= 0 || master_gone)
				in_open = false;
		if (status >= 0 && !(p[1].revents & POLLIN))
			master_open = false; /* exited and nothing more to read */
	}
	if (status < 0)
		status = wait_container(pid);
	if (restore)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	return status;
}
