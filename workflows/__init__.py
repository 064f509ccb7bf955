"""Every SOP workflow, by SOP id. The worker registers all of them on one task queue."""

from workflows.eorder_product import EorderProductWorkflow
from workflows.eorder_vendor import EorderVendorWorkflow
from workflows.gallery_curation import GalleryCurationWorkflow
from workflows.jathil_vendor import DEFINITION as JATHIL_VENDOR, JathilVendorWorkflow
from workflows.referral import ReferralWorkflow
from workflows.sop import SopDefinition

WORKFLOWS = [JathilVendorWorkflow, GalleryCurationWorkflow, ReferralWorkflow, EorderVendorWorkflow, EorderProductWorkflow]
SOPS: dict[str, SopDefinition] = {wf.definition.id: wf.definition for wf in WORKFLOWS}
WORKFLOW_BY_SOP = {wf.definition.id: wf for wf in WORKFLOWS}

__all__ = ["JATHIL_VENDOR", "SOPS", "WORKFLOWS", "WORKFLOW_BY_SOP"]
