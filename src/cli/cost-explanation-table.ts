import type { ChargeLine } from "../pricing/index.js";
import type { CostExplanation } from "../query/index.js";
import { formatTable, type Column } from "./output-format.js";

// `pricing explain` for people: the event, the entry and its source, then one row per bucket and fee
// (`tokens × rate = amount`), the total beside the stored figure and the provider's, and "today".

const perLabel = (per: number) => (per === 1_000_000 ? "/M" : per === 1 ? "" : `/${per}`);

const lineColumns: Column<ChargeLine>[] = [
  { header: "bucket", value: (line) => line.bucket },
  { header: "units", value: (line) => String(line.units), align: "right" },
  { header: "rate $", value: (line) => `${line.price}${perLabel(line.per)}`, align: "right" },
  { header: "amount $", value: (line) => line.amountUsd, align: "right" },
  {
    header: "note",
    value: (line) =>
      [line.billedAs ? `no own price: billed as ${line.billedAs}` : "", line.rule ?? ""].join(" ").trim(),
  },
];

/** The explanation as lines of text. */
export function costExplanationTable(explanation: CostExplanation): string {
  const { catalog } = explanation;
  const head = [
    `event    ${explanation.eventId} (project ${explanation.project}, ${explanation.createdAt})`,
    `model    ${explanation.model} on ${explanation.provider}`,
    `basis    ${explanation.basis}: ${explanation.summary}`,
  ];
  if (catalog) {
    const provenance = catalog.imported
      ? `imported from ${catalog.imported.package} ${catalog.imported.version} (${catalog.imported.published})`
      : catalog.checked
        ? `checked ${catalog.checked}`
        : "not compared with its source";
    head.push(
      `entry    ${catalog.entry} (${catalog.provider}${catalog.override ? ", override" : ""}); model ${catalog.model}`,
      `matched  '${catalog.matchedSpelling}' by ${catalog.matchedBy.join(", ")}`,
      `prices   catalog ${catalog.version}, period from ${explanation.periodFrom ?? "the first known price"}, tier ${explanation.tier ?? "base"}`,
      ...(explanation.timeOfDay === null ? [] : [`window   ${explanation.timeOfDay}`]),
      `source   ${catalog.source ?? "(none)"} (${provenance})`,
      ...(catalog.note ? [`note     ${catalog.note}`] : []),
    );
  }
  const lines = [...explanation.buckets, ...explanation.fees];
  const table = lines.length > 0 ? "\n" + formatTable(lineColumns, lines) : "";
  const { discount } = explanation;
  const tail = [
    ...(explanation.catalogTotalUsd !== null ? [`catalog  $${explanation.catalogTotalUsd}`] : []),
    ...(discount
      ? [
          `discount -$${discount.amountUsd} (${discount.percent}% negotiated on ${discount.provider}${
            discount.model === null ? "" : `, models ${discount.model}`
          }${discount.project === null ? "" : `, project ${discount.project}`}${
            discount.source === null ? "" : `; ${discount.source}`
          })`,
          `charged  $${explanation.totalUsd ?? "?"}`,
        ]
      : []),
    `stored   $${explanation.storedCostUsd} (cost source ${explanation.costSource})${
      explanation.addsUp === null ? "" : explanation.addsUp ? ", adds up" : ", DOES NOT add up"
    }`,
    `provider ${explanation.providerCostUsd === null ? "(not reported)" : `$${explanation.providerCostUsd}`}`,
  ];
  if (explanation.today) {
    const { today } = explanation;
    tail.push(
      today.priced
        ? `today    $${today.costUsd} with catalog ${today.pricingVersion ?? "?"}`
        : `today    not priced: ${today.reason ?? "no price"}`,
    );
  }
  return head.join("\n") + "\n" + table + "\n" + tail.join("\n") + "\n";
}
