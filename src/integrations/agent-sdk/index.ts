// llm-ledger/agent-sdk: the cost of Claude Agent SDK runs, without depending on the SDK.
export type { AgentModelUsage, AgentResultMessage } from "./agent-sdk-result.js";
export {
  trackAgentSdkResult,
  usageFromModelUsage,
  agentRunError,
  type AgentRunContext,
} from "./track-agent-sdk-result.js";
export { trackQuery } from "./track-query.js";
export type { TrackResult, TrackUsageInput, TrackedUsage, UsageTracker } from "../usage-tracker.js";
