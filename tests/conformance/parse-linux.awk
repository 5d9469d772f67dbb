# SPDX-License-Identifier: MIT
# Turn the @@ lines printed by the conformance /init (init.sh) into facts:
#   DEV <tab> driver <tab> group <tab> domain <tab> sids <tab> reason
#   MSI <tab> in <tab> out          (one per msi-map translation the kernel did)
# group is the group's smallest member (a partition label), "-" for none;
# sids are the iommu-map outputs logged (dyndbg of drivers/of/base.c) just
# before the device's "Adding to iommu group"/"already in tree" line, "?" when
# the kernel did not reveal them (platform devices: "iommus" is not logged).
function hex(s,    i, c, v) {
	s = tolower(s)
	sub(/^0x/, "", s)
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c == 0) break
		v = v * 16 + c - 1
	}
	return v
}
function rid(dev,    p, b, d, f) {
	# 0000:BB:DD.F -> BB<<8 | DD<<3 | F
	split(dev, p, /[:.]/)
	b = hex(p[2]); d = hex(p[3]); f = hex(p[4])
	return b * 256 + d * 8 + f
}
{ sub(/\r$/, "") }
/@@PCI / {
	sub(/.*@@PCI /, "")
	n = split($0, a, " ")
	dev[a[1]] = 1; drv[a[1]] = a[2]; grp[a[1]] = a[3]; pci[a[1]] = 1
	next
}
/@@PLAT / {
	sub(/.*@@PLAT /, "")
	n = split($0, a, " ")
	dev[a[1]] = 1; drv[a[1]] = a[2]; grp[a[1]] = a[3]
	next
}
/@@GROUP / {
	sub(/.*@@GROUP /, "")
	n = split($0, a, " ")
	type = a[2]
	if (type == "identity") type = "IDENTITY"
	else if (type == "DMA-FQ") type = "DMA_FQ"
	else if (type == "blocked") type = "BLOCKED"
	gtype[a[1]] = type
	lab = ""
	for (i = 3; i <= n; i++)
		if (lab == "" || a[i] < lab) lab = a[i]
	glabel[a[1]] = lab
	next
}
# Lookups before the SMMU registered (deferred probes) belong to no device.
/@@LOG .*arm-smmu-v3 / { pend = ""; next }
/@@LOG .*iommu-map, using mask/ {
	match($0, /-> [0-9a-f]+/)
	pend = pend (pend == "" ? "" : ",") sprintf("0x%x", hex(substr($0, RSTART + 3, RLENGTH - 3)))
	next
}
/@@LOG .*msi-map, using mask/ {
	match($0, /id: [0-9a-f]+ -> [0-9a-f]+/)
	split(substr($0, RSTART + 4, RLENGTH - 4), m, / -> /)
	msi[sprintf("0x%x\t0x%x", hex(m[1]), hex(m[2]))] = 1
	next
}
/@@LOG .*no iommu-map translation for id/ {
	match($0, /for id 0x[0-9a-f]+/)
	notrans[hex(substr($0, RSTART + 7, RLENGTH - 7))] = 1
	next
}
# "/NAME@ADDR: #iommu-cells = 1 found 0" names a top-level node: device ADDR.NAME.
/@@LOG .*: #iommu-cells = / {
	match($0, /\/[^ ]*: #iommu-cells/)
	n = substr($0, RSTART + 1, RLENGTH - 15)
	split(n, p, "@")
	cells[p[2] "." p[1]] = 1
	next
}
/@@LOG .*: (Adding to iommu group|stream [0-9]+ already in tree)/ {
	match($0, /[^ ]+: (Adding to iommu group|stream [0-9]+ already in tree)/)
	d = substr($0, RSTART, RLENGTH)
	sub(/: (Adding to iommu group|stream [0-9]+ already in tree)$/, "", d)
	if (pend != "") sids[d] = pend
	pend = ""
	if ($0 ~ /already in tree/) intree[d] = 1
	next
}
END {
	for (d in dev) {
		g = grp[d]
		label = g == "-" ? "-" : glabel[g]
		domain = g == "-" ? "-" : gtype[g]
		if (g == "-") s = "-"
		else if (d in sids) s = sids[d]
		else s = "?"
		if (g != "-") reason = "-"
		else if (d in intree) reason = "already-in-tree"
		else if (d in cells) reason = "iommu-cells"
		else if (pci[d] && (rid(d) in notrans)) reason = "no-translation"
		else if (drv[d] == "-") reason = "no-driver"
		else reason = "no-iommu"
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", d, drv[d] == "-" ? "no" : "yes", label, domain, s, reason
	}
	for (k in msi)
		printf "MSI\t%s\n", k
}
