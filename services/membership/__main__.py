"""Run the membership service: python -m services.membership"""
from services.chassis.process import run_service
from services.membership.bootstrap import definition

if __name__ == "__main__":
    run_service(definition())
