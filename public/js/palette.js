// One palette for charts and legends, so a provider or model keeps its color across views.
export const seriesColors = [
  "#4f46e5", // indigo
  "#0ea5e9", // sky
  "#10b981", // emerald
  "#f59e0b", // amber
  "#ec4899", // pink
  "#8b5cf6", // violet
  "#14b8a6", // teal
  "#ef4444", // red
  "#84cc16", // lime
  "#64748b", // slate
];

/** The color for "everything else". */
export const otherColor = "#cbd5e1";

/** Known providers keep the same color whatever else is on screen. */
const providerColors = {
  anthropic: "#e07a4f",
  openai: "#10a37f",
  google: "#4285f4",
  "google-vertex": "#06b6d4",
  "aws-bedrock": "#8b5cf6",
  azure: "#0ea5e9",
  mistral: "#f59e0b",
  deepseek: "#6366f1",
  xai: "#334155",
  groq: "#ef4444",
  openrouter: "#64748b",
};

/** A color for the `index`-th series of a chart stacked by `dimension`. */
export function colorFor(dimension, key, index) {
  if (dimension === "provider" && providerColors[key]) return providerColors[key];
  return seriesColors[index % seriesColors.length];
}
