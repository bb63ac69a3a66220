// Creates an API key through a running service's admin API, as an operator would.

/** A new key's secret, created with `adminKey` on the service at `url`. */
export async function createKeyVia(
  url: string,
  adminKey: string,
  key: { name: string; scopes: readonly string[]; project?: string | null },
): Promise<string> {
  const response = await fetch(`${url}/v1/admin/keys`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}` },
    body: JSON.stringify(key),
  });
  if (response.status !== 201)
    throw new Error(`creating key ${key.name}: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { key: string }).key;
}
