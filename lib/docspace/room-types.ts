/** DocSpace's room types (RoomType in the spec) as a person calls them: the report table and the console show these. */
export const ROOM_TYPES: Record<number, string> = {
  1: 'Form filling',
  2: 'Collaboration',
  5: 'Custom',
  6: 'Public',
  8: 'Virtual data',
  9: 'AI',
};
