"""Generated protobuf/gRPC stubs (scripts/gen_proto.sh). Do not edit."""
