"""Run the benefits service: python -m services.benefits (its daily payout runs as a job)."""
from services.chassis.process import run_service
from services.benefits.bootstrap import definition

if __name__ == "__main__":
    run_service(definition())
