// SPDX-License-Identifier: MIT
#include "smmuv2-drv.h"
int main(void)
{
	return tap_done();
}
