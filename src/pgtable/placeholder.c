/* SPDX-License-Identifier: MIT */
/* Placeholder translation unit until the pgtable module lands. */
int ims_pgtable_placeholder_(void);
int ims_pgtable_placeholder_(void)
{
	return 0;
}
