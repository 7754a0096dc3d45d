/* Process hardening for programs that hold secrets: no core dumps, and not
 * dumpable (so same-uid processes cannot ptrace it or read its memory). */
#include <sys/prctl.h>
#include <sys/resource.h>

#include "cli.h"

bool cli_harden(void)
{
	struct rlimit rl = { 0, 0 };
	bool ok = true;

	if (setrlimit(RLIMIT_CORE, &rl) != 0)
		ok = false;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		ok = false;
	return ok;
}
