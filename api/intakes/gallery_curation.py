from core.forms.gallery import GalleryCurationForm

from api.intakes import Intake

# The documents (KTP, NIB, P-IRT required) come as file parts of the same multipart start.
INTAKE = Intake(sop="gallery-curation", form=GalleryCurationForm, roles=("umkm",),
                title=lambda data: f"{data.get('product_name', '')} — {data.get('business_name', '')}")
