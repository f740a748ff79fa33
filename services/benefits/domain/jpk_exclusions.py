"""B-JPK-5: what JPK does not cover, as a closed catalogue of codes (seed 003).

A facility or officer classifies a bill line by its code; `check_coverage` refuses an
excluded one naming the code. The catalogue is the rule book's list completed from the
seed it comes from ("Hal-hal yang tidak menjadi tanggung jawab badan penyelenggara").
Some entries are also limits the coverage check applies from the facts on its own (the 4th
childbirth, 60 care days, 20 intensive-care days, 7 emergency days outside the appointed
facilities); their codes are here so that a line can be classified by them too.

B-JPK-7's extra benefits lift the exclusion they exist for: help with haemodialysis,
cancer, HIV/AIDS and heart surgery, and the check-up of workers from 40
(`jpk.LIFTED_BY_EXTRA`).
"""
from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

EXCLUSIONS: Mapping[str, str] = MappingProxyType({
    # the participant
    "NATURAL_DISASTER_OR_WAR": "direct result of a natural disaster, war and the like",
    "SELF_INFLICTED_INJURY": "injury caused by oneself, e.g. attempted suicide, unlawful acts",
    "DANGEROUS_SPORTS": "dangerous sports: gliding, diving, car or motorcycle racing, mountaineering, boxing, "
                        "rock climbing, rafting",
    # health services
    "OUTSIDE_APPOINTED_FACILITIES": "care outside the facilities the agency appointed, except emergencies",
    "IMMUNISATION": "immunisation, except a baby's basic immunisation",
    "GENERAL_CHECKUP": "general, regular check-ups (including pap smear)",
    "TREATMENT_ABROAD": "examination, treatment or care abroad",
    "ALCOHOL_OR_DRUGS": "illness from the use of alcohol or narcotics",
    "CANCER": "cancer, from the diagnosis on",
    "WORK_ACCIDENT_OR_OCCUPATIONAL_DISEASE": "illness or injury from work (occupational disease or accident): "
                                             "that is JKK",
    "SEXUALLY_TRANSMITTED_DISEASE": "sexually transmitted diseases, including AIDS-related complex",
    "ABORTION_WITHOUT_MEDICAL_INDICATION": "abortion without medical indication",
    "CONGENITAL_LIFELONG_CONDITION": "congenital or hereditary conditions needing lifelong treatment "
                                     "(e.g. thalassaemia, haemophilia, mental retardation, autism)",
    "FOURTH_OR_LATER_CHILDBIRTH": "the 4th and later childbirth, with the pregnancy leading to it",
    "SPECIAL_SERVICE_REPLACED_EARLY": "glasses, dentures, eye prostheses, hearing aids or limb prostheses lost "
                                      "or broken before their time",
    "HAEMODIALYSIS": "haemodialysis, including the vascular access for it",
    "HEART_SURGERY": "heart surgery and its procedures, pacemakers, cardiac catheterisation and medicines",
    "THERAPEUTIC_CARDIAC_CATHETERISATION": "cardiac catheterisation as treatment",
    "ORGAN_TRANSPLANT": "organ transplants, e.g. bone marrow",
    "ADVANCED_DIAGNOSTICS_NOT_LISTED": "examinations with new equipment not on the JPK list (MRI, DSA, TORCH)",
    "FERTILITY_TREATMENT": "examinations, procedures and medicines for fertility, including IVF",
    # medicines
    "MEDICINE_UNRELATED_TO_ILLNESS": "medicines or vitamins unrelated to the illness",
    "COSMETIC": "cosmetic medicines and procedures, including keloid surgery without medical indication",
    "FOOD_AS_MEDICINE": "food given as medicine, e.g. infant milk",
    "RUBBING_OIL": "rubbing oils such as kayu putih",
    "DRESSINGS": "bandages, plasters, sterile gauze",
    # costs
    "TRAVEL_COSTS": "travel to and from treatment, for paperwork, or to an appointed hospital",
    "EMERGENCY_BEYOND_7_DAYS_OUTSIDE_NETWORK": "emergency care beyond 7 days outside the appointed facilities",
    "CARE_BEYOND_60_DAYS": "care and medicines beyond 60 days per case per year",
    "INTENSIVE_CARE_BEYOND_20_DAYS": "intensive care (ICU, ICCU, HCU, PICU) beyond 20 days per case per year",
    "SUPER_SPECIALIST_PROCEDURES": "super-specialist medical procedures",
})
