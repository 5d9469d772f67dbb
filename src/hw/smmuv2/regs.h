/* SPDX-License-Identifier: MIT */
/*
 * MMU-500 / SMMUv2 register map, in the order offset, fields, values.
 *
 * Offsets and fields are those of the Arm SMMU architecture v2 (IHI 0062D.c,
 * chapter 9 "Global address space 0", chapter 10 "Global address space 1",
 * chapter 14/16 "Translation context bank address space") as the Linux
 * arm-smmu driver uses them (drivers/iommu/arm/arm-smmu/arm-smmu.h).  Only
 * the Non-secure view is modelled.
 */
#ifndef IMS_HW_SMMUV2_REGS_H
#define IMS_HW_SMMUV2_REGS_H

#include "util/bitfield.h"

/* ---- Global register space 0 (page 0), IHI 0062 §9.6 ---- */
#define SMMU_GR0_sCR0 0x0 /* §9.6.1 */
#define sCR0_CLIENTPD BIT(0)
#define sCR0_GFRE BIT(1)
#define sCR0_GFIE BIT(2)
#define sCR0_EXIDENABLE BIT(3)
#define sCR0_GCFGFRE BIT(4)
#define sCR0_GCFGFIE BIT(5)
#define sCR0_TRANSIENTCFG GENMASK(7, 6)
#define sCR0_STALLD BIT(8)
#define sCR0_GSE BIT(9)
#define sCR0_USFCFG BIT(10)
#define sCR0_VMIDPNE BIT(11)
#define sCR0_PTM BIT(12)
#define sCR0_FB BIT(13)
#define sCR0_BSU GENMASK(15, 14)
#define sCR0_MEMATTR GENMASK(19, 16)
#define sCR0_MTCFG BIT(20)
#define sCR0_SMCFCFG BIT(21)
#define sCR0_SHCFG GENMASK(23, 22)
#define sCR0_RACFG GENMASK(25, 24)
#define sCR0_WACFG GENMASK(27, 26)
#define sCR0_NSCFG GENMASK(29, 28)
#define sCR0_VMID16EN BIT(31)
/* MMU-500 reset value (TRM DDI 0517 §3.3.1): CLIENTPD and SMCFCFG set. */
#define sCR0_RESET (sCR0_CLIENTPD | sCR0_SMCFCFG)

#define SMMU_GR0_sCR1 0x4 /* Secure only: RAZ/WI in the Non-secure view */
#define SMMU_GR0_sCR2 0x8
#define SMMU_GR0_sACR 0x10 /* IMPLEMENTATION DEFINED; MMU-500 TRM §3.3.3 */
#define MMU500_sACR_SMTNMB_TLBEN BIT(8)
#define MMU500_sACR_S2CRB_TLBEN BIT(10)
#define MMU500_sACR_CACHE_LOCK BIT(26)

#define SMMU_GR0_ID0 0x20 /* §9.6.2 SMMU_IDR0 */
#define ID0_NUMSMRG GENMASK(7, 0)
#define ID0_EXIDS BIT(8)
#define ID0_NUMSIDB GENMASK(12, 9)
#define ID0_BTM BIT(13)
#define ID0_CTTW BIT(14)
#define ID0_NUMIRPT GENMASK(23, 16)
#define ID0_PTFS_NO_AARCH32S BIT(24)
#define ID0_PTFS_NO_AARCH32 BIT(25)
#define ID0_ATOSNS BIT(26)
#define ID0_SMS BIT(27)
#define ID0_NTS BIT(28)
#define ID0_S2TS BIT(29)
#define ID0_S1TS BIT(30)
#define ID0_SES BIT(31)

#define SMMU_GR0_ID1 0x24 /* §9.6.3 SMMU_IDR1 */
#define ID1_NUMCB GENMASK(7, 0)
#define ID1_NUMS2CB GENMASK(23, 16)
#define ID1_NUMPAGENDXB GENMASK(30, 28)
#define ID1_PAGESIZE BIT(31)

#define SMMU_GR0_ID2 0x28 /* §9.6.4 SMMU_IDR2 */
#define ID2_IAS GENMASK(3, 0)
#define ID2_OAS GENMASK(7, 4)
#define ID2_UBS GENMASK(11, 8)
#define ID2_PTFS_4K BIT(12)
#define ID2_PTFS_16K BIT(13)
#define ID2_PTFS_64K BIT(14)
#define ID2_VMID16 BIT(15)

#define SMMU_GR0_ID7 0x3c /* §9.6.8 SMMU_IDR7: the implementation revision */
#define ID7_MINOR GENMASK(3, 0)
#define ID7_MAJOR GENMASK(7, 4)

#define SMMU_GR0_sGFAR 0x40 /* 64-bit, §9.6.10 */
#define SMMU_GR0_sGFSR 0x48 /* §9.6.11, write one to clear */
#define sGFSR_ICF BIT(0)    /* invalid context: S2CR.TYPE == fault */
#define sGFSR_USF BIT(1)    /* unidentified stream */
#define sGFSR_SMCF BIT(2)   /* stream match conflict */
#define sGFSR_UCBF BIT(3)   /* unimplemented context bank */
#define sGFSR_UCIF BIT(4)   /* unimplemented context interrupt */
#define sGFSR_CAF BIT(5)
#define sGFSR_EF BIT(6)
#define sGFSR_PF BIT(7)
#define sGFSR_UUT BIT(8)
#define sGFSR_MULTI BIT(31)
#define sGFSR_FAULTS (GENMASK(8, 0) | sGFSR_MULTI)
#define SMMU_GR0_sGFSRRESTORE 0x4c
#define SMMU_GR0_sGFSYNR0 0x50 /* §9.6.13 */
#define sGFSYNR0_NESTED BIT(0)
#define sGFSYNR0_WNR BIT(1)
#define sGFSYNR0_PNU BIT(2)
#define sGFSYNR0_IND BIT(3)
#define sGFSYNR0_NSSTATE BIT(4)
#define sGFSYNR0_NSATTR BIT(5)
#define SMMU_GR0_sGFSYNR1 0x54 /* StreamID [15:0] */
#define sGFSYNR1_SID GENMASK(15, 0)
#define SMMU_GR0_sGFSYNR2 0x58 /* IMPLEMENTATION DEFINED: reads 0 */

#define SMMU_GR0_STLBIALL 0x60 /* Secure only: ignored */
#define SMMU_GR0_TLBIVMID 0x64 /* §9.6.17: VMID [15:0] */
#define TLBIVMID_VMID GENMASK(15, 0)
#define SMMU_GR0_TLBIALLNSNH 0x68
#define SMMU_GR0_TLBIALLH 0x6c
#define SMMU_GR0_sTLBGSYNC 0x70
#define SMMU_GR0_sTLBGSTATUS 0x74
#define sTLBGSTATUS_GSACTIVE BIT(0)
#define SMMU_GR0_TLBIVAH 0x78	 /* hypervisor contexts: none are modelled */
#define SMMU_GR0_TLBIVMIDS1 0x84 /* SMMUv2: stage-1 entries of a VMID */

#define SMMU_GR0_SMR(n) (0x800 + ((n) << 2)) /* §9.6.23 SMMU_SMRn */
#define SMR_ID GENMASK(15, 0)
#define SMR_MASK GENMASK(31, 16)
#define SMR_VALID BIT(31)
#define SMMU_GR0_S2CR(n) (0xc00 + ((n) << 2)) /* §9.6.24 SMMU_S2CRn */
#define S2CR_CBNDX GENMASK(7, 0)
#define S2CR_EXIDVALID BIT(10)
#define S2CR_TYPE GENMASK(17, 16)
#define S2CR_TYPE_TRANS 0
#define S2CR_TYPE_BYPASS 1
#define S2CR_TYPE_FAULT 2
#define S2CR_PRIVCFG GENMASK(25, 24)
#define S2CR_PRIVCFG_DEFAULT 0
#define S2CR_PRIVCFG_UNPRIV 2
#define S2CR_PRIVCFG_PRIV 3
#define S2CR_INSTCFG GENMASK(27, 26)
#define S2CR_INSTCFG_DATA 2
#define S2CR_INSTCFG_INST 3
/* MMU-500 reset value (UG1087 SMMU_S2CRn): TYPE = fault. */
#define S2CR_RESET FIELD_PREP(S2CR_TYPE, S2CR_TYPE_FAULT)
#define SMMU_GR0_SMR_END 0xc00
#define SMMU_GR0_S2CR_END 0x1000

/* ---- Global register space 1 (page 1), IHI 0062 §10 ---- */
#define SMMU_GR1_CBAR(n) (0x0 + ((n) << 2)) /* §10.6.1 SMMU_CBARn */
#define CBAR_VMID GENMASK(7, 0)
#define CBAR_S1_BPSHCFG GENMASK(9, 8)
#define CBAR_S1_MEMATTR GENMASK(15, 12)
#define CBAR_S2_CBNDX GENMASK(15, 8) /* TYPE == nested: the stage-2 bank */
#define CBAR_TYPE GENMASK(17, 16)
#define CBAR_TYPE_S2_TRANS 0
#define CBAR_TYPE_S1_TRANS_S2_BYPASS 1
#define CBAR_TYPE_S1_TRANS_S2_FAULT 2
#define CBAR_TYPE_S1_TRANS_S2_TRANS 3
#define CBAR_IRPTNDX GENMASK(31, 24)
#define SMMU_GR1_CBFRSYNRA(n) (0x400 + ((n) << 2)) /* §10.6.2 */
#define CBFRSYNRA_SID GENMASK(15, 0)
#define SMMU_GR1_CBA2R(n) (0x800 + ((n) << 2)) /* §10.6.3 */
#define CBA2R_VA64 BIT(0)
#define CBA2R_MONC BIT(1)
#define CBA2R_VMID16 GENMASK(31, 16)

/* ---- Translation context bank n (page NUMPAGE + n), IHI 0062 §14 ---- */
#define SMMU_CB_SCTLR 0x0 /* §14.6.x SMMU_CBn_SCTLR */
#define SCTLR_M BIT(0)
#define SCTLR_TRE BIT(1)
#define SCTLR_AFE BIT(2)
#define SCTLR_AFFD BIT(3)
#define SCTLR_E BIT(4)
#define SCTLR_CFRE BIT(5)
#define SCTLR_CFIE BIT(6)
#define SCTLR_CFCFG BIT(7)
#define SCTLR_HUPCF BIT(8)
#define SCTLR_WXN BIT(9)
#define SCTLR_UWXN BIT(10)
#define SCTLR_ASIDPNE BIT(12)
#define SMMU_CB_ACTLR 0x4 /* MMU-500: CPRE bit 1 etc., storage only */
#define SMMU_CB_RESUME 0x8
#define RESUME_TERMINATE BIT(0)
#define SMMU_CB_TCR2 0x10
#define TCR2_PASIZE GENMASK(2, 0)
#define TCR2_AS BIT(4)
#define TCR2_SEP GENMASK(17, 15)
#define SMMU_CB_TTBR0 0x20
#define SMMU_CB_TTBR1 0x28
#define TTBR_ASID GENMASK_ULL(63, 48)
#define TTBR_BADDR GENMASK_ULL(47, 4)
#define SMMU_CB_TCR 0x30 /* stage 1: TTBCR (EAE form); stage 2: VTCR */
#define TCR_T0SZ GENMASK(5, 0)
#define TCR_EPD0 BIT(7)
#define TCR_IRGN0 GENMASK(9, 8)
#define TCR_ORGN0 GENMASK(11, 10)
#define TCR_SH0 GENMASK(13, 12)
#define TCR_TG0 GENMASK(15, 14)
#define TCR_TG0_4K 0
#define TCR_TG0_64K 1
#define TCR_TG0_16K 2
#define TCR_T1SZ GENMASK(21, 16)
#define TCR_A1 BIT(22)
#define TCR_EPD1 BIT(23)
#define TCR_TG1 GENMASK(31, 30)
#define TCR_TG1_16K 1
#define TCR_TG1_4K 2
#define TCR_TG1_64K 3
#define VTCR_SL0 GENMASK(7, 6)
#define VTCR_PS GENMASK(18, 16)
#define SMMU_CB_CONTEXTIDR 0x34
#define SMMU_CB_MAIR0 0x38
#define SMMU_CB_MAIR1 0x3c
#define SMMU_CB_PAR 0x50
#define SMMU_CB_FSR 0x58 /* §14.6.x SMMU_CBn_FSR, write one to clear */
#define FSR_TF BIT(1)
#define FSR_AFF BIT(2)
#define FSR_PF BIT(3)
#define FSR_EF BIT(4)
#define FSR_TLBMCF BIT(5)
#define FSR_TLBLKF BIT(6)
#define FSR_ASF BIT(7)
#define FSR_UUT BIT(8)
#define FSR_FORMAT GENMASK(10, 9)
#define FSR_FORMAT_AARCH32_L 1
#define FSR_FORMAT_AARCH64 2
#define FSR_SS BIT(30)
#define FSR_MULTI BIT(31)
#define FSR_FAULT (FSR_MULTI | FSR_SS | GENMASK(8, 1))
#define SMMU_CB_FSRRESTORE 0x5c
#define SMMU_CB_FAR 0x60 /* 64-bit */
#define SMMU_CB_FSYNR0 0x68
#define FSYNR0_PLVL GENMASK(1, 0)
#define FSYNR0_WNR BIT(4)
#define FSYNR0_PNU BIT(5)
#define FSYNR0_IND BIT(6)
#define FSYNR0_NSSTATE BIT(7)
#define FSYNR0_NSATTR BIT(8)
#define FSYNR0_ATOF BIT(9)
#define FSYNR0_PTWF BIT(10)
#define FSYNR0_AFR BIT(11)
#define FSYNR0_S1CBNDX GENMASK(23, 16)
#define SMMU_CB_FSYNR1 0x6c
#define SMMU_CB_IPAFAR 0x70   /* 64-bit */
#define SMMU_CB_REGS_END 0x80 /* plain storage below this, word-indexed */
#define SMMU_CB_TLBIVA 0x600
#define SMMU_CB_TLBIVAA 0x608
#define SMMU_CB_TLBIASID 0x610
#define SMMU_CB_TLBIALL 0x618
#define SMMU_CB_TLBIVAL 0x620
#define SMMU_CB_TLBIVAAL 0x628
#define SMMU_CB_TLBIIPAS2 0x630
#define SMMU_CB_TLBIIPAS2L 0x638
#define TLBI_VA_ADDR GENMASK_ULL(43, 0) /* VA[55:12] */
#define TLBI_VA_ASID GENMASK_ULL(63, 48)
#define TLBI_IPA_ADDR GENMASK_ULL(35, 0) /* IPA[47:12] */
#define SMMU_CB_TLBSYNC 0x7f0
#define SMMU_CB_TLBSTATUS 0x7f4
#define TLBSTATUS_SACTIVE BIT(0)

_Static_assert((SMR_VALID & SMR_MASK) != 0, "SMR.VALID overlaps the MASK field without EXIDS");
_Static_assert((FSR_FAULT & FSR_FORMAT) == 0, "FSR.FORMAT is not a fault bit");

#endif
