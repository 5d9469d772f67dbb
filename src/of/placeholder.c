/* SPDX-License-Identifier: MIT */
/* Placeholder translation unit until the of module lands. */
int ims_of_placeholder_(void);
int ims_of_placeholder_(void)
{
	return 0;
}
