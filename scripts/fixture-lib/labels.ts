/**
 * Microsoft Purview sensitivity labels used by the fixtures. The names map to marking levels
 * by name; a label known only by its GUID (docMetadata/LabelInfo.xml carries no name) needs
 * the policy's `markings.purviewLabels` map, which the fixture case that uses it supplies.
 */
export const TENANT_ID = '9b1c8a4e-2f3d-4e5a-8b6c-7d8e9f0a1b2c';

export const LABELS = {
  official: { id: 'a3e5f1c2-6b7d-4e8f-9a0b-1c2d3e4f5a60', name: 'OFFICIAL' },
  officialSensitive: { id: 'c7d2e9f4-1a3b-4c5d-8e6f-7a8b9c0d1e2f', name: 'OFFICIAL-SENSITIVE' },
  officialSensitiveDisplay: { id: 'c7d2e9f4-1a3b-4c5d-8e6f-7a8b9c0d1e2f', name: 'Official Sensitive' },
} as const;

/** docProps/custom.xml properties Office writes for an applied label. */
export function msipCustomProperties(label: { id: string; name: string }): Record<string, string> {
  const p = `MSIP_Label_${label.id}`;
  return {
    [`${p}_Enabled`]: 'true',
    [`${p}_SetDate`]: '2025-02-27T14:30:12Z',
    [`${p}_Method`]: 'Standard',
    [`${p}_Name`]: label.name,
    [`${p}_SiteId`]: TENANT_ID,
    [`${p}_ActionId`]: '5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9',
    [`${p}_ContentBits`]: '1',
  };
}

/** The msip_labels header Outlook adds for an applied label. */
export function msipLabelsHeader(label: { id: string; name: string }): string {
  return Object.entries(msipCustomProperties(label))
    .map(([k, v]) => `${k}=${v}`)
    .join(';');
}
