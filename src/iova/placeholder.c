/* SPDX-License-Identifier: MIT */
/* Placeholder translation unit until the iova module lands. */
int ims_iova_placeholder_(void);
int ims_iova_placeholder_(void)
{
	return 0;
}
