/* SPDX-License-Identifier: MIT */
/*
 * Print the StreamID Linux gives a PCI requester ID behind a host bridge:
 *   sid-of-rid BOARD HOST-BRIDGE-PATH RID [EXPECTED-SID]
 * With EXPECTED-SID it exits 1 unless the StreamID is that value.
 * Built by meson as an example of the library API (see README.md).
 */
#include <stdio.h>
#include <stdlib.h>

#include <iommusim/of.h>

int main(int argc, char **argv)
{
	struct ims_of_tree *tree;
	int pcie, target = IMS_OF_NONE, ret;
	uint32_t sid;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: %s BOARD HOST-BRIDGE-PATH RID [EXPECTED-SID]\n", argv[0]);
		return 2;
	}
	ret = ims_of_tree_load(&tree, argv[1], NULL, 0);
	if (ret) {
		fprintf(stderr, "%s: %s\n", ims_errname(ret), ims_last_error());
		return 2;
	}
	pcie = ims_of_find_node_by_path(tree, argv[2]);
	if (pcie == IMS_OF_NONE) {
		fprintf(stderr, "%s: no node %s\n", argv[1], argv[2]);
		ims_of_tree_free(tree);
		return 2;
	}
	ret = ims_of_map_id(tree, pcie, (uint32_t)strtoul(argv[3], NULL, 0), "iommu-map",
			    "iommu-map-mask", &target, &sid, NULL);
	if (ret)
		printf("of_map_id failed: %s\n", ims_errname(ret));
	else if (target == IMS_OF_NONE)
		printf("no IOMMU (bypass, id 0x%x)\n", sid);
	else
		printf("StreamID 0x%x\n", sid);
	ims_of_tree_free(tree);
	if (!ret && argc == 5 && (target == IMS_OF_NONE || sid != strtoul(argv[4], NULL, 0)))
		return 1;
	return ret ? 1 : 0;
}
