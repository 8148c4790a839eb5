/** '::ffff:10.1.2.3' -> '10.1.2.3': a dual-stack listener reports IPv4 clients that way. */
export function unmapIPv4(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m?.[1] ?? address;
}
