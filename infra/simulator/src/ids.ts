// Deterministic GUIDs, so fixtures and operation ids are stable between runs.

export function guid(namespace: number, n: number): string {
  const hex = (v: number, len: number): string => v.toString(16).padStart(len, '0').slice(-len);
  return `${hex(namespace, 8)}-0000-4000-8000-${hex(n, 12)}`;
}
