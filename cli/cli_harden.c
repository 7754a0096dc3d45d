/* Process hardening for programs that hold secrets: no core dumps, and not
 * dumpable (so same-uid processes cannot ptrace it or read its memory). */
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"

#if defined(__SANITIZE_ADDRESS__)
/* LeakSanitizer inspects the process at exit with ptrace-like access, which
 * a non-dumpable process refuses ("LeakSanitizer has encountered a fatal
 * error"). In sanitizer builds only, become dumpable again at exit, after
 * every secret has been wiped; atexit handlers run in reverse order, so this
 * runs before the leak check that the runtime registered at start-up. */
static void dumpable_again_for_lsan(void)
{
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}
#endif

bool cli_harden(void)
{
	struct rlimit rl = { 0, 0 };
	bool ok = true;

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		ok = false;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		ok = false;
#if defined(__SANITIZE_ADDRESS__)
	if (atexit(dumpable_again_for_lsan) != 0)
		ok = false;
#endif
	return ok;
}
