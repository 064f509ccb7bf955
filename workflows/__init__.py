"""Every SOP, by id: the one list of SOP modules, and the registries derived from it.

Adding an SOP: write `workflows/<sop>.py` ending with `SOP = SopModule(...)` and add it to SOP_MODULES.
Nothing else is edited: the worker, the catalogue, the start pages, the inboxes and the SOP's own routes
all read REGISTRY.
"""

from workflows import (
    coaching, consultation, eorder_product, eorder_vendor, gallery_curation, jathil_order, jathil_vendor, referral,
    service_complaint,
)
from workflows.module import Registry, SopModule, View

SOP_MODULES: tuple[SopModule, ...] = (
    jathil_vendor.SOP, jathil_order.SOP, gallery_curation.SOP, referral.SOP, eorder_vendor.SOP, eorder_product.SOP,
    service_complaint.SOP, consultation.SOP, coaching.SOP,
)
REGISTRY = Registry(SOP_MODULES)

# Live views over the registry (a module registered later shows in them too).
SOPS = View(REGISTRY, lambda m: m.definition)  # sop id -> SopDefinition
WORKFLOW_BY_SOP = View(REGISTRY, lambda m: m.workflow)  # sop id -> its workflow class
INTAKES = View(REGISTRY, lambda m: m.intake if m.start_form is not None else None)  # SOPs applicants start

__all__ = ["INTAKES", "REGISTRY", "SOPS", "SOP_MODULES", "WORKFLOW_BY_SOP"]
