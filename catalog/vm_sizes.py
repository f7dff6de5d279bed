"""Azure VM sizes that node pools commonly use: vCPUs, memory and GPUs.

Source: Microsoft Learn, "Sizes for virtual machines in Azure" (the Dsv3, Dsv5, Dasv5, Ddsv5,
Esv5, Fsv2, Bs, DSv2, NCv3, NCasT4_v3, NC A100 v4, ND A100 v4 and NVadsA10 v5 series pages).
A size missing here is not an error of Azure's: declare it in the stack under
`cluster.vmSizes` (see docs/settings.md) and the checks use your figures.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VmSize:
    vcpu: int
    memory_gib: float
    gpus: int = 0
    gpu_model: str = ""


def _series(prefix: str, suffix: str, sizes: dict[int, float]) -> dict[str, VmSize]:
    return {f"Standard_{prefix}{n}{suffix}": VmSize(n, mem) for n, mem in sizes.items()}


# General purpose and memory/compute optimised series: vCPU -> memory GiB.
VM_SIZES: dict[str, VmSize] = {
    **_series("D", "s_v3", {2: 8, 4: 16, 8: 32, 16: 64, 32: 128, 48: 192, 64: 256}),
    **_series("D", "s_v5", {2: 8, 4: 16, 8: 32, 16: 64, 32: 128, 48: 192, 64: 256, 96: 384}),
    **_series("D", "ds_v5", {2: 8, 4: 16, 8: 32, 16: 64, 32: 128, 48: 192, 64: 256, 96: 384}),
    **_series("D", "as_v5", {2: 8, 4: 16, 8: 32, 16: 64, 32: 128, 48: 192, 64: 256, 96: 384}),
    **_series("E", "s_v5", {2: 16, 4: 32, 8: 64, 16: 128, 20: 160, 32: 256, 48: 384, 64: 512}),
    **_series("F", "s_v2", {2: 4, 4: 8, 8: 16, 16: 32, 32: 64, 48: 96, 64: 128, 72: 144}),
    "Standard_B2s": VmSize(2, 4),
    "Standard_B2ms": VmSize(2, 8),
    "Standard_B4ms": VmSize(4, 16),
    "Standard_B8ms": VmSize(8, 32),
    "Standard_DS2_v2": VmSize(2, 7),
    "Standard_DS3_v2": VmSize(4, 14),
    "Standard_DS4_v2": VmSize(8, 28),
    "Standard_DS5_v2": VmSize(16, 56),
    # GPU sizes.
    "Standard_NC6s_v3": VmSize(6, 112, 1, "V100"),
    "Standard_NC12s_v3": VmSize(12, 224, 2, "V100"),
    "Standard_NC24s_v3": VmSize(24, 448, 4, "V100"),
    "Standard_NC4as_T4_v3": VmSize(4, 28, 1, "T4"),
    "Standard_NC8as_T4_v3": VmSize(8, 56, 1, "T4"),
    "Standard_NC16as_T4_v3": VmSize(16, 110, 1, "T4"),
    "Standard_NC64as_T4_v3": VmSize(64, 440, 4, "T4"),
    "Standard_NC24ads_A100_v4": VmSize(24, 220, 1, "A100"),
    "Standard_NC48ads_A100_v4": VmSize(48, 440, 2, "A100"),
    "Standard_NC96ads_A100_v4": VmSize(96, 880, 4, "A100"),
    "Standard_ND96asr_v4": VmSize(96, 900, 8, "A100"),
    "Standard_NV36ads_A10_v5": VmSize(36, 440, 1, "A10"),
}


def lookup(name: str, declared: dict[str, VmSize] | None = None) -> VmSize | None:
    """The size's figures, from the stack's own declarations first, then this table.

    Azure treats size names case-insensitively, so do we.
    """
    for table in (declared or {}, VM_SIZES):
        for key, size in table.items():
            if key.lower() == name.lower():
                return size
    return None


_LEARN = "Microsoft Learn VM size pages (vCPU, memory GiB, GPU count)"
SOURCES: dict[str, str] = {
    "VM_SIZES": (
        f"{_LEARN}: Dsv3, Dsv5, Dasv5, Esv5, Fsv2, B, DSv2, NCv3, NCasT4_v3, NC A100 v4, "
        "NDasrA100_v4 and NVadsA10 v5 rows; Ddsv5 from `az vm list-sizes` output "
        "(D96ds_v5: 96 cores, 393216 MB)"
    ),
    "lookup": (
        "unconfirmed: that Azure matches vmSize case-insensitively; matching any case is the "
        "lenient side, and the stack's own declarations come first"
    ),
}
