/* netshow.h - `minirun network show`: the bridge network as it is now, drawn
 * as text, as a mermaid flowchart or as a graphviz graph. */
#pragma once

#include <stdio.h>

#include "../common/err.h"

enum netshow_format { SHOW_TEXT, SHOW_MERMAID, SHOW_DOT };

int netshow_print(const char *root, enum netshow_format f, FILE *out, struct mr_err *err);
