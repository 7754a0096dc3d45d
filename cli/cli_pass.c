/* Passphrases: from the terminal with echo off (/dev/tty), from a file
 * (first line) or from a file descriptor, always into sodium_malloc'd
 * memory that is wiped when released. Never from the command line. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "cli.h"

#define SOURCE_HINT "use --passphrase-file F or --passphrase-fd N when there is no terminal"

/* The terminal state to restore if a signal arrives while echo is off. */
static volatile sig_atomic_t tty_saved_valid;
static struct termios tty_saved;
static volatile sig_atomic_t tty_saved_fd = -1;

static void restore_on_signal(int sig)
{
	if (tty_saved_valid && tty_saved_fd >= 0)
		tcsetattr((int)tty_saved_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

void cli_secret_free(cli_secret *s)
{
	if (!s)
		return;
	if (s->ptr)
		sodium_free(s->ptr); /* sodium_free wipes before releasing */
	s->ptr = NULL;
	s->len = 0;
}

lp_view cli_secret_view(const cli_secret *s)
{
	return lp_view_of((const uint8_t *)s->ptr, s->len);
}

bool cli_parse_fd(const char *text, int *fd)
{
	char *end;
	long v;
	if (!text || !*text)
		return false;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 0 || v > 65535)
		return false;
	*fd = (int)v;
	return true;
}

static lp_err alloc_secret(cli_secret *out)
{
	out->len = 0;
	out->ptr = sodium_malloc(CLI_PASS_MAX + 2);
	if (!out->ptr)
		return LP_ERR_NOMEM;
	memset(out->ptr, 0, CLI_PASS_MAX + 2);
	return LP_OK;
}

/* Read from fd up to the first newline or EOF into s (already allocated),
 * one byte at a time so that nothing after the line is consumed. A
 * trailing CR is dropped. */
static lp_err read_line_fd(int fd, cli_secret *s)
{
	size_t len = 0;
	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return LP_ERR_IO;
		}
		if (n == 0 || c == '\n')
			break;
		if (len >= CLI_PASS_MAX) {
			sodium_memzero(s->ptr, CLI_PASS_MAX + 2);
			return LP_ERR_TOO_LARGE;
		}
		s->ptr[len++] = c;
	}
	if (len > 0 && s->ptr[len - 1] == '\r')
		len--;
	s->ptr[len] = '\0';
	s->len = len;
	return LP_OK;
}

static lp_err from_tty(const char *prompt, cli_secret *s)
{
	struct termios t;
	struct sigaction sa, old_int, old_term, old_hup;
	lp_err rc;
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		cli_error(SOURCE_HINT, "no terminal to ask for the passphrase");
		return LP_ERR_IO;
	}
	if (tcgetattr(fd, &tty_saved) != 0) {
		close(fd);
		cli_error(SOURCE_HINT, "cannot switch the terminal's echo off");
		return LP_ERR_IO;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = restore_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);
	tty_saved_fd = fd;
	tty_saved_valid = 1;

	t = tty_saved;
	t.c_lflag &= (tcflag_t) ~(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	/* Echo off before the prompt appears: whatever the user types once the
	 * prompt is visible is never shown (type-ahead from before, which the
	 * terminal already echoed, is flushed). */
	if (tcsetattr(fd, TCSAFLUSH, &t) != 0 || write(fd, prompt, strlen(prompt)) < 0) {
		rc = LP_ERR_IO;
		cli_error(SOURCE_HINT, "cannot switch the terminal's echo off");
	} else {
		rc = read_line_fd(fd, s);
		if (rc == LP_ERR_TOO_LARGE)
			cli_error("use a passphrase of at most 1024 bytes", "passphrase too long");
		else if (rc != LP_OK)
			cli_error(SOURCE_HINT, "cannot read the passphrase from the terminal");
	}
	tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_saved_valid = 0;
	tty_saved_fd = -1;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	close(fd);
	return rc;
}

static lp_err from_file(const char *path, cli_secret *s)
{
	struct stat st;
	lp_err rc;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		cli_error("check the path given to --passphrase-file", "cannot open passphrase file '%s': %s",
			  path, strerror(errno));
		return errno == ENOENT ? LP_ERR_NOT_FOUND : LP_ERR_IO;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 077))
		cli_warn("passphrase file '%s' is readable by others; run 'chmod 600 %s'", path, path);
	rc = read_line_fd(fd, s);
	close(fd);
	if (rc == LP_ERR_TOO_LARGE)
		cli_error("its first line must be the passphrase, at most 1024 bytes",
			  "passphrase file '%s' has a line that is too long", path);
	else if (rc != LP_OK)
		cli_error("check the file and its permissions", "cannot read passphrase file '%s'", path);
	return rc;
}

static lp_err from_fd(int fd, cli_secret *s)
{
	lp_err rc = read_line_fd(fd, s);
	if (rc == LP_ERR_TOO_LARGE)
		cli_error("send at most 1024 bytes, ended by a newline",
			  "passphrase on file descriptor %d is too long", fd);
	else if (rc != LP_OK)
		cli_error("check the number given to --passphrase-fd",
			  "cannot read the passphrase from file descriptor %d: %s", fd, strerror(errno));
	return rc;
}

static lp_err read_once(const cli_pass_src *src, const char *prompt, cli_secret *out)
{
	lp_err rc = alloc_secret(out);
	if (rc != LP_OK) {
		cli_error("free memory or raise the locked-memory limit (ulimit -l)",
			  "cannot allocate protected memory for the passphrase");
		return rc;
	}
	if (src && src->file)
		rc = from_file(src->file, out);
	else if (src && src->fd >= 0)
		rc = from_fd(src->fd, out);
	else
		rc = from_tty(prompt ? prompt : "Passphrase: ", out);
	if (rc != LP_OK)
		cli_secret_free(out);
	return rc;
}

lp_err cli_passphrase_get(const cli_pass_src *src, const char *prompt, cli_secret *out)
{
	lp_err rc = read_once(src, prompt, out);
	if (rc != LP_OK)
		return rc;
	if (out->len == 0) {
		cli_secret_free(out);
		cli_error("type the passphrase, or put it on the first line of the passphrase file",
			  "empty passphrase");
		return LP_ERR_ARG;
	}
	return LP_OK;
}

lp_err cli_passphrase_new(const cli_pass_src *src, const char *prompt, size_t min_len,
			  cli_secret *out)
{
	cli_secret again = { NULL, 0 };
	bool from_terminal = !src || (!src->file && src->fd < 0);
	lp_err rc = read_once(src, prompt, out);

	if (rc != LP_OK)
		return rc;
	if (out->len < min_len || out->len == 0) {
		cli_secret_free(out);
		cli_error("choose a longer passphrase (a few unrelated words work well)",
			  "the new passphrase is shorter than %zu characters", min_len ? min_len : 1);
		return LP_ERR_ARG;
	}
	if (!from_terminal)
		return LP_OK;
	rc = read_once(src, "Repeat the passphrase: ", &again);
	if (rc != LP_OK) {
		cli_secret_free(out);
		return rc;
	}
	if (again.len != out->len || sodium_memcmp(again.ptr, out->ptr, out->len) != 0) {
		cli_secret_free(&again);
		cli_secret_free(out);
		cli_error("run the command again and type the same passphrase twice",
			  "the two passphrases differ");
		return LP_ERR_ARG;
	}
	cli_secret_free(&again);
	return LP_OK;
}
