/* nftnl_cleanup.h - scope-bound release of libnftnl objects (see
 * common/cleanup.h); each accepts NULL. */
#pragma once

#include <libnftnl/chain.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>

#define NFTNL_CLEANUP(type)                                                                        \
	static inline void nftnl_##type##_freep(struct nftnl_##type **p)                           \
	{                                                                                          \
		if (*p)                                                                            \
			nftnl_##type##_free(*p);                                                   \
	}

NFTNL_CLEANUP(table)
NFTNL_CLEANUP(chain)
NFTNL_CLEANUP(set)
NFTNL_CLEANUP(rule)
NFTNL_CLEANUP(gen)
