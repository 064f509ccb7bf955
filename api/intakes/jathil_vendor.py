from core.forms.jathil import JathilVendorForm

from api.intakes import Intake

INTAKE = Intake(sop="jathil-vendor", form=JathilVendorForm, roles=("umkm",),
                title=lambda data: data.get("business_name", ""))
