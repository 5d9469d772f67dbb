/* SPDX-License-Identifier: MIT */
#include "of-test.h"
int main(void)
{
	return tap_done();
}
