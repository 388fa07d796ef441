"""Makes the blob container a store test writes to in an Azurite started on PORT.

Usage: make-container.py PORT CONTAINER (the Azurite development account and its key).
"""
import sys

from azure.storage.blob import BlobServiceClient

port, container = sys.argv[1], sys.argv[2]
# Azurite's published development account (the same for every installation).
connection = (
    "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;"
    "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;"
    f"BlobEndpoint=http://127.0.0.1:{port}/devstoreaccount1;"
)
BlobServiceClient.from_connection_string(connection).create_container(container)
