# SPDX-License-Identifier: MIT
# Turn `iommusim explain --json` (one device per line, docs/explain.md) into
# the facts parse-linux.awk writes, for PCI functions and for platform devices
# in a group or refused by the IOMMU.  Inputs: the --log output (a file named
# *.log: "#iommu-cells" errors name DT nodes), then the JSON.
function str(key,    v) {
	if (!match($0, "\"" key "\": (null|\"[^\"]*\")")) return "-"
	v = substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 4)
	if (v == "null") return "-"
	gsub(/"/, "", v)
	return v
}
function num(key,    v) {
	if (!match($0, "\"" key "\": (null|[0-9]+)")) return "-"
	v = substr($0, RSTART + length(key) + 4, RLENGTH - length(key) - 4)
	return v == "null" ? "-" : v
}
function list(key,    v, n, a, i, out) {
	if (!match($0, "\"" key "\": \\[[0-9, ]*\\]")) return ""
	v = substr($0, RSTART + length(key) + 5, RLENGTH - length(key) - 6)
	n = split(v, a, /, */)
	out = ""
	for (i = 1; i <= n; i++)
		if (a[i] != "") out = out (out == "" ? "" : ",") sprintf("0x%x", a[i])
	return out
}
# The kernel log (--log, first file): DT nodes whose iommus cells are malformed.
FILENAME ~ /\.log$/ {
	if (match($0, /\/[^ ]*: #iommu-cells = [0-9]+ found -?[0-9]+/)) {
		n = substr($0, RSTART, RLENGTH)
		sub(/: #iommu-cells.*/, "", n)
		cellerr[n] = 1
	}
	next
}
/^ *\{"name": / {
	name = str("name")
	bus = str("bus")
	g = num("group")
	node = str("node")
	if (bus != "pci" && g == "-" && $0 !~ /already in tree/ && !(node in cellerr)) next
	dev[name] = 1
	drv[name] = $0 ~ /"driver_bound": true/ ? "yes" : "no"
	grp[name] = g
	dom[name] = str("domain")
	ids[name] = list("ids")
	al = list("aliases")
	m = num("msi_id")
	if (bus == "pci" && m != "-") {
		n = split(al, a, ",")
		msi[sprintf("%s\t0x%x", a[n], m)] = 1
	}
	if (g != "-" && (!(g in label) || name < label[g])) label[g] = name
	if (g != "-") reason[name] = "-"
	else if ($0 ~ /already in tree/) reason[name] = "already-in-tree"
	else if ($0 ~ /no iommu-map translation/) reason[name] = "no-translation"
	else if (node in cellerr) reason[name] = "iommu-cells"
	else if (drv[name] == "no") reason[name] = "no-driver"
	else reason[name] = "no-iommu"
}
END {
	for (d in dev) {
		g = grp[d]
		printf "%s\t%s\t%s\t%s\t%s\t%s\n", d, drv[d], g == "-" ? "-" : label[g],
		       g == "-" ? "-" : dom[d], g == "-" ? "-" : (ids[d] == "" ? "-" : ids[d]), reason[d]
	}
	for (k in msi)
		printf "MSI\t%s\n", k
}
