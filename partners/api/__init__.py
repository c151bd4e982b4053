"""The partner REST API, version 1: the same services and the same access gate as the pages."""
