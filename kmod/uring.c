// SPDX-License-Identifier: GPL-2.0
/* Placeholder: io_uring commands land with the library issue. */
#include "kipc_internal.h"

u64 kipc_uring_features(void)
{
	return 0;
}

int kipc_uring_cmd(struct io_uring_cmd *cmd, unsigned int issue_flags)
{
	return -EOPNOTSUPP;
}
