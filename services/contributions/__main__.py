"""Run the contributions service: python -m services.contributions"""
from services.chassis.process import run_service
from services.contributions.bootstrap import definition

if __name__ == "__main__":
    run_service(definition())
