// The one place that reaches into @scalekit-sdk/node's generated gRPC code, which the package does not export
// publicly. The SDK is pinned to an exact version in package.json because of these paths; test/scalekit/
// sdk-internals.test.ts fails loudly if an upgrade moves or renames any of them.
export {
  type AuthorizationDetails,
  AuthorizationDetailsSchema,
  ConnectedAccountService,
  ConnectorStatus,
  ConnectorType,
  OauthTokenSchema,
} from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/connected_accounts/connected_accounts_pb.js';
export { ErrorInfoSchema } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/errdetails/errdetails_pb.js';
export { ToolService } from '@scalekit-sdk/node/lib/pkg/grpc/scalekit/v1/tools/tools_pb.js';
