"""Run the welfare service: python -m services.welfare"""
from services.chassis.process import run_service
from services.welfare.bootstrap import definition

if __name__ == "__main__":
    run_service(definition())
