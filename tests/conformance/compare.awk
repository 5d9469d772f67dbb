# SPDX-License-Identifier: MIT
# Compare Linux's facts (parse-linux.awk) with iommusim's (parse-ims.awk) for
# one case and print the table.  Inputs, in order: the known-differences file,
# the sorted device list, the Linux facts, the iommusim facts.  -v case=NAME.
# Exit status: 0 all equal or known, 1 a disagreement.
# A known difference is a line "CASE DEVICE FIELD reason..." (CASE and DEVICE
# may be "*"); FIELD is driver, group, domain, sids, reason or msi.
function known(dev, field,    k) {
	for (k = 1; k <= nk; k++)
		if ((kc[k] == "*" || kc[k] == case) && (kd[k] == "*" || kd[k] == dev) && kf[k] == field) {
			used[k] = 1
			return k
		}
	return 0
}
function cell(f, i) {
	return f[2] " " f[3] " " f[4] " " f[5] " " f[6]
}
FILENAME == ARGV[1] {
	if ($0 ~ /^[ \t]*(#|$)/) next
	nk++
	kc[nk] = $1; kd[nk] = $2; kf[nk] = $3
	r = $0
	sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", r)
	kr[nk] = r
	next
}
FILENAME == ARGV[2] { order[++nd] = $0; next }
FILENAME == ARGV[3] { if ($1 == "MSI") lm[$2 " -> " $3] = 1; else L[$1] = $0; next }
FILENAME == ARGV[4] { if ($1 == "MSI") im[$2 " -> " $3] = 1; else I[$1] = $0; next }
END {
	FS = "\t"
	split("driver group domain sids reason", fname, " ")
	printf "  %-22s %-58s %-58s %s\n", "device", "Linux: driver group domain sids reason",
	       "iommusim: driver group domain sids reason", "result"
	bad = 0
	for (n = 1; n <= nd; n++) {
		d = order[n]
		if (d == "MSI") continue
		split(d in L ? L[d] : d "\t(absent)\t-\t-\t-\t-", l, "\t")
		split(d in I ? I[d] : d "\t(absent)\t-\t-\t-\t-", m, "\t")
		res = "ok"; why = ""
		for (f = 1; f <= 5; f++) {
			if (l[f + 1] == m[f + 1]) continue
			if (fname[f] == "sids" && l[f + 1] == "?") continue
			k = known(d, fname[f])
			if (k) {
				if (res == "ok") res = "KNOWN"
				why = why "\n      known difference (" fname[f] "): " kr[k]
			} else {
				res = "DIFF"
				why = why "\n      DIFF " fname[f] ": Linux " l[f + 1] ", iommusim " m[f + 1]
			}
		}
		if (res == "DIFF") bad = 1
		printf "  %-22s %-58s %-58s %s%s\n", d, cell(l), cell(m), res, why
	}
	for (k in lm) all[k] = 1
	for (k in im) all[k] = 1
	for (k in all) {
		if ((k in lm) && (k in im)) { nmsi++; continue }
		side = (k in lm) ? "Linux only" : "iommusim only"
		if (known("*", "msi")) {
			printf "  msi-map %s: %s (known difference)\n", k, side
		} else {
			printf "  DIFF msi-map %s: %s\n", k, side
			bad = 1
		}
	}
	printf "  msi-map translations (ITS DeviceIDs) equal on both sides: %d\n", nmsi
	for (k = 1; k <= nk; k++)
		if (kc[k] == case && !used[k])
			printf "  note: known difference not seen (stale entry?): %s %s: %s\n", kd[k], kf[k], kr[k]
	exit bad
}
