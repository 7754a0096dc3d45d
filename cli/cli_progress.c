/* A progress bar on stderr for long work (batch issuance), drawn only on a
 * terminal so that logs and pipes stay clean. */
#include <stdio.h>
#include <unistd.h>

#include "cli.h"

#define BAR_WIDTH 30

static void draw(cli_progress *p, int pct)
{
	char bar[BAR_WIDTH + 1];
	int fill = pct * BAR_WIDTH / 100;
	for (int i = 0; i < BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%s [%s] %3d%% %zu/%zu", p->label ? p->label : "", bar, pct, p->done,
		p->total);
	fflush(stderr);
	p->shown = pct;
}

void cli_progress_start(cli_progress *p, const char *label, size_t total)
{
	p->label = label;
	p->total = total;
	p->done = 0;
	p->shown = -1;
	p->active = isatty(STDERR_FILENO) == 1 && total > 0;
	if (p->active)
		draw(p, 0);
}

void cli_progress_update(cli_progress *p, size_t done)
{
	int pct;
	if (!p->active)
		return;
	p->done = done > p->total ? p->total : done;
	pct = (int)(p->done * 100 / p->total);
	if (pct != p->shown)
		draw(p, pct);
}

void cli_progress_end(cli_progress *p)
{
	if (!p->active)
		return;
	p->done = p->total;
	draw(p, 100);
	fputc('\n', stderr);
	fflush(stderr);
	p->active = false;
}
