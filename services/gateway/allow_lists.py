"""What the SQL gateway accepts: allow lists of syntax nodes, functions and table functions.

Everything not named here is refused, so a function ClickHouse adds later, or an alias of a
function that is not listed (``fullHostName`` for ``FQDN``), stays refused until someone adds
it on purpose. The function names were chosen by family from ClickHouse 26.9's
``system.functions``: computations on the values a query already has (arithmetic, strings,
dates, arrays, JSON, hashes, aggregates…). Left out on purpose: dictionaries, files, URLs and
other tables reached by name (``joinGet``, ``hasColumnInTable``), facts about the host or the
server (``hostName``, ``FQDN``, ``uptime``, ``getServerSetting``, ``getMacro``), the query log
and introspection, ``sleep``/``throwIf``, AI and Keeper functions.

An alias is accepted when the function it names is (the engine's ``system.functions`` says
which); so is an aggregate function with the combinators below (``sumIf``, ``uniqState``).
"""

from __future__ import annotations

#: Syntax tree nodes (``EXPLAIN AST``) a read-only query may contain.
ALLOWED_NODES = frozenset({
    "SelectWithUnionQuery", "SelectIntersectExceptQuery", "SelectQuery", "ExpressionList",
    "TablesInSelectQuery", "TablesInSelectQueryElement", "TableExpression", "TableIdentifier",
    "TableJoin", "ArrayJoin", "Subquery", "WithElement", "Identifier", "Literal", "Function",
    "Asterisk", "QualifiedAsterisk", "ColumnsRegexpMatcher", "ColumnsListMatcher",
    "QualifiedColumnsRegexpMatcher", "QualifiedColumnsListMatcher", "ColumnsTransformerList",
    "ColumnsExceptTransformer", "ColumnsReplaceTransformer",
    "ColumnsReplaceTransformer::Replacement", "OrderByElement", "WindowDefinition",
    "WindowListElement", "InterpolateElement", "SampleRatio",
})

#: Table functions that generate rows and read nothing.
ALLOWED_TABLE_FUNCTIONS = frozenset({
    "numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateSeries", "values",
})

#: Aggregate combinators (``sumIf``, ``quantilesState``…): they reshape an aggregate's input or
#: output and read nothing.
ALLOWED_COMBINATORS = (
    "If", "Array", "ForEach", "Map", "Tuple", "State", "SimpleState", "MergeState", "Merge",
    "OrNull", "OrDefault", "Resample", "Distinct", "ArgMin", "ArgMax",
)

#: The membership operators: their right side must be a list or a subquery, never a bare name
#: (``x IN other_db.table`` reads a table without naming it as one).
IN_OPERATORS = frozenset({
    "in", "notIn", "globalIn", "globalNotIn", "nullIn", "notNullIn", "globalNullIn",
    "globalNotNullIn", "inIgnoreSet", "notInIgnoreSet", "globalInIgnoreSet",
    "globalNotInIgnoreSet", "nullInIgnoreSet", "notNullInIgnoreSet", "globalNullInIgnoreSet",
    "globalNotNullInIgnoreSet",
})

#: Names the parser writes that are not functions of their own (``x -> x + 1``).
SYNTAX_FUNCTIONS = frozenset({"lambda"})

#: Ordinary and aggregate functions, by family (canonical names, as in ``system.functions``).
_FAMILIES: dict[str, str] = {
    "Aggregate Functions": """
    analysisOfVariance any anyHeavy anyLast anyLast_respect_nulls any_respect_nulls
    approx_top_k approx_top_sum argAndMax argAndMin argMax argMin avg avgWeighted
    boundingRatio categoricalInformationValue contingency corr corrMatrix corrStable count
    covarPop covarPopMatrix covarPopStable covarSamp covarSampMatrix covarSampStable
    cramersV cramersVBiasCorrected cume_dist deltaSum deltaSumTimestamp denseRank
    distinctDynamicTypes distinctJSONPaths distinctJSONPathsAndTypes entropy
    estimateCompressionRatio exponentialMovingAverage exponentialTimeDecayedAvg
    exponentialTimeDecayedCount exponentialTimeDecayedMax exponentialTimeDecayedSum gini
    groupArray groupArrayInsertAt groupArrayIntersect groupArrayLast groupArrayMovingAvg
    groupArrayMovingSum groupArraySample groupArraySorted groupBitAnd groupBitOr groupBitXor
    groupBitmap groupBitmapAnd groupBitmapOr groupBitmapXor groupConcat groupFormat
    groupNumericIndexedVector groupUniqArray histogram intervalLengthSum
    kolmogorovSmirnovTest kurtPop kurtSamp lag lagInFrame largestTriangleThreeBuckets lead
    leadInFrame mannWhitneyUTest max maxIntersections maxIntersectionsPosition
    maxMappedArrays meanZTest mergedJSONPatch min minMappedArrays nonNegativeDerivative
    nothing nothingNull nothingUInt64 nth_value ntile percentRank quantile quantileBFloat16
    quantileBFloat16Weighted quantileDD quantileDeterministic quantileExact
    quantileExactExclusive quantileExactHigh quantileExactInclusive quantileExactLow
    quantileExactWeighted quantileExactWeightedInterpolated quantileGK
    quantileInterpolatedWeighted quantilePrometheusHistogram quantileTDigest
    quantileTDigestWeighted quantileTiming quantileTimingWeighted quantiles
    quantilesBFloat16 quantilesBFloat16Weighted quantilesDD quantilesDeterministic
    quantilesExact quantilesExactExclusive quantilesExactHigh quantilesExactInclusive
    quantilesExactLow quantilesExactWeighted quantilesExactWeightedInterpolated quantilesGK
    quantilesInterpolatedWeighted quantilesPrometheusHistogram quantilesTDigest
    quantilesTDigestWeighted quantilesTiming quantilesTimingWeighted rank rankCorr regr_avgx
    regr_avgy regr_count regr_intercept regr_r2 regr_slope regr_sxx regr_sxy regr_syy
    retention row_number sequenceCount sequenceMatch sequenceMatchEvents sequenceNextNode
    simpleLinearRegression singleValueOrNull skewPop skewSamp sparkbar stddevPop
    stddevPopStable stddevSamp stddevSampStable studentTTest studentTTestOneSample sum
    sumCount sumKahan sumMapFiltered sumMapFilteredWithOverflow sumMapWithOverflow
    sumMappedArrays sumWithOverflow theilsU timeSeriesAvgToGrid timeSeriesBottomKMasks
    timeSeriesChangesToGrid timeSeriesCountToGrid timeSeriesDeltaToGrid
    timeSeriesDerivToGrid timeSeriesGroupArray timeSeriesIncreaseToGrid
    timeSeriesInstantDeltaToGrid timeSeriesInstantRateToGrid timeSeriesLastTwoSamples
    timeSeriesLimitKMasks timeSeriesMaxToGrid timeSeriesMinToGrid
    timeSeriesPredictLinearToGrid timeSeriesRateToGrid timeSeriesResampleToGridWithStaleness
    timeSeriesResetsToGrid timeSeriesSumToGrid timeSeriesTimestampOfMaxToGrid
    timeSeriesTimestampOfMinToGrid timeSeriesTopKMasks topK topKWeighted uniq uniqCombined
    uniqCombined64 uniqExact uniqHLL12 uniqUpTo varPop varPopStable varSamp varSampStable
    welchTTest windowFunnel
""",
    "Type Conversion": """
    CAST DATE accurateCast accurateCastOrDefault accurateCastOrNull formatRow
    formatRowNoNewline fromUnixTimestamp64Micro fromUnixTimestamp64Milli
    fromUnixTimestamp64Nano fromUnixTimestamp64Second kqlParameterCast kqlToTimespan
    parseDateTime parseDateTime32BestEffort parseDateTime32BestEffortOrNull
    parseDateTime32BestEffortOrZero parseDateTime64 parseDateTime64BestEffort
    parseDateTime64BestEffortOrNull parseDateTime64BestEffortOrZero
    parseDateTime64BestEffortUS parseDateTime64BestEffortUSOrNull
    parseDateTime64BestEffortUSOrZero parseDateTime64InJodaSyntax
    parseDateTime64InJodaSyntaxOrNull parseDateTime64InJodaSyntaxOrZero
    parseDateTime64OrNull parseDateTime64OrZero parseDateTimeBestEffort
    parseDateTimeBestEffortOrNull parseDateTimeBestEffortOrZero parseDateTimeBestEffortUS
    parseDateTimeBestEffortUSOrNull parseDateTimeBestEffortUSOrZero
    parseDateTimeInJodaSyntax parseDateTimeInJodaSyntaxOrNull
    parseDateTimeInJodaSyntaxOrZero parseDateTimeOrNull parseDateTimeOrZero reinterpret
    reinterpretAsDate reinterpretAsDateTime reinterpretAsFixedString reinterpretAsFloat32
    reinterpretAsFloat64 reinterpretAsInt128 reinterpretAsInt16 reinterpretAsInt256
    reinterpretAsInt32 reinterpretAsInt64 reinterpretAsInt8 reinterpretAsString
    reinterpretAsUInt128 reinterpretAsUInt16 reinterpretAsUInt256 reinterpretAsUInt32
    reinterpretAsUInt64 reinterpretAsUInt8 reinterpretAsUUID toBFloat16 toBFloat16OrNull
    toBFloat16OrZero toBool toDate toDate32 toDate32OrDefault toDate32OrNull toDate32OrZero
    toDateOrDefault toDateOrNull toDateOrZero toDateTime toDateTime32 toDateTime64
    toDateTime64OrDefault toDateTime64OrNull toDateTime64OrZero toDateTimeOrDefault
    toDateTimeOrNull toDateTimeOrZero toDecimal128 toDecimal128OrDefault toDecimal128OrNull
    toDecimal128OrZero toDecimal256 toDecimal256OrDefault toDecimal256OrNull
    toDecimal256OrZero toDecimal32 toDecimal32OrDefault toDecimal32OrNull toDecimal32OrZero
    toDecimal64 toDecimal64OrDefault toDecimal64OrNull toDecimal64OrZero toDecimalString
    toFixedString toFloat32 toFloat32OrDefault toFloat32OrNull toFloat32OrZero toFloat64
    toFloat64OrDefault toFloat64OrNull toFloat64OrZero toInt128 toInt128OrDefault
    toInt128OrNull toInt128OrZero toInt16 toInt16OrDefault toInt16OrNull toInt16OrZero
    toInt256 toInt256OrDefault toInt256OrNull toInt256OrZero toInt32 toInt32OrDefault
    toInt32OrNull toInt32OrZero toInt64 toInt64OrDefault toInt64OrNull toInt64OrZero toInt8
    toInt8OrDefault toInt8OrNull toInt8OrZero toInterval toIntervalDay toIntervalHour
    toIntervalMicrosecond toIntervalMillisecond toIntervalMinute toIntervalMonth
    toIntervalNanosecond toIntervalQuarter toIntervalSecond toIntervalWeek toIntervalYear
    toLowCardinality toString toStringCutToZero toTime toTime64 toTime64OrNull
    toTime64OrZero toTimeOrNull toTimeOrZero toUInt128 toUInt128OrDefault toUInt128OrNull
    toUInt128OrZero toUInt16 toUInt16OrDefault toUInt16OrNull toUInt16OrZero toUInt256
    toUInt256OrDefault toUInt256OrNull toUInt256OrZero toUInt32 toUInt32OrDefault
    toUInt32OrNull toUInt32OrZero toUInt64 toUInt64OrDefault toUInt64OrNull toUInt64OrZero
    toUInt8 toUInt8OrDefault toUInt8OrNull toUInt8OrZero toUUID toUUIDOrZero
    toUnixTimestamp64Micro toUnixTimestamp64Milli toUnixTimestamp64Nano
    toUnixTimestamp64Second
""",
    "Dates and Times": """
    UTCTimestamp YYYYMMDDToDate YYYYMMDDToDate32 YYYYMMDDhhmmssToDateTime
    YYYYMMDDhhmmssToDateTime64 addDate addDays addHours addInterval addMicroseconds
    addMilliseconds addMinutes addMonths addNanoseconds addQuarters addSeconds
    addTupleOfIntervals addWeeks addYears age changeDay changeHour changeMinute changeMonth
    changeSecond changeYear dateDiff dateName dateTrunc formatDateTime
    formatDateTimeInJodaSyntax fromDaysSinceYearZero fromDaysSinceYearZero32
    fromModifiedJulianDay fromModifiedJulianDayOrNull fromUTCTimestamp fromUnixTimestamp
    fromUnixTimestampInJodaSyntax localtime makeDate makeDate32 makeDateTime makeDateTime64
    monthName now now64 nowInBlock nowInBlock64 serverTimezone subDate subtractDays
    subtractHours subtractInterval subtractMicroseconds subtractMilliseconds subtractMinutes
    subtractMonths subtractNanoseconds subtractQuarters subtractSeconds
    subtractTupleOfIntervals subtractWeeks subtractYears timeDiff timeSlot timeSlots
    timestamp timezone timezoneOf timezoneOffset toDayOfMonth toDayOfWeek toDayOfYear
    toDaysInMonth toDaysSinceYearZero toHour toISOWeek toISOYear toLastDayOfMonth
    toLastDayOfWeek toMicrosecond toMillisecond toMinute toModifiedJulianDay
    toModifiedJulianDayOrNull toMonday toMonth toMonthNumSinceEpoch toNanosecond toQuarter
    toRelativeDayNum toRelativeHourNum toRelativeMinuteNum toRelativeMonthNum
    toRelativeQuarterNum toRelativeSecondNum toRelativeWeekNum toRelativeYearNum toSecond
    toStartOfDay toStartOfFifteenMinutes toStartOfFiveMinutes toStartOfHour toStartOfISOYear
    toStartOfInterval toStartOfMicrosecond toStartOfMillisecond toStartOfMinute
    toStartOfMonth toStartOfNanosecond toStartOfQuarter toStartOfSecond toStartOfTenMinutes
    toStartOfWeek toStartOfYear toTimeWithFixedDate toTimezone toUTCTimestamp
    toUnixTimestamp toWeek toYYYYMM toYYYYMMDD toYYYYMMDDhhmmss toYear toYearNumSinceEpoch
    toYearWeek today yesterday
""",
    "Arrays": """
    array arrayAUCPR arrayAll arrayAutocorrelation arrayAvg arrayBottomK arrayCompact
    arrayConcat arrayCount arrayCumSum arrayCumSumNonNegative arrayDifference arrayDistinct
    arrayDotProduct arrayElement arrayElementOrNull arrayEnumerate arrayEnumerateDense
    arrayEnumerateDenseRanked arrayEnumerateUniq arrayEnumerateUniqRanked arrayExcept
    arrayExists arrayFill arrayFilter arrayFirst arrayFirstIndex arrayFirstOrNull
    arrayFlatten arrayFlattenedLength arrayFold arrayIntersect arrayJaccardIndex arrayJoin
    arrayLast arrayLastIndex arrayLastOrNull arrayLevenshteinDistance
    arrayLevenshteinDistanceWeighted arrayMap arrayMax arrayMin arrayNormalizedGini
    arrayPartialReverseSort arrayPartialShuffle arrayPartialSort arrayPopBack arrayPopFront
    arrayProduct arrayPushBack arrayPushFront arrayROCAUC arrayRandomSample arrayReduce
    arrayReduceInRanges arrayRemove arrayResize arrayReverse arrayReverseFill
    arrayReverseSort arrayReverseSplit arrayRotateLeft arrayRotateRight arrayShiftLeft
    arrayShiftRight arrayShingles arrayShuffle arraySimilarity arraySlice arraySort
    arraySplit arraySum arraySymmetricDifference arrayTopK arrayTranspose arrayUnion
    arrayUniq arrayWithConstant arrayZip arrayZipUnaligned countEqual empty emptyArrayDate
    emptyArrayDateTime emptyArrayFloat32 emptyArrayFloat64 emptyArrayInt16 emptyArrayInt32
    emptyArrayInt64 emptyArrayInt8 emptyArrayString emptyArrayToSingle emptyArrayUInt16
    emptyArrayUInt32 emptyArrayUInt64 emptyArrayUInt8 has hasAll hasAny hasSubstr indexOf
    indexOfAssumeSorted length notEmpty notHas randomHadamardTransform range replicate
    reverse
""",
    "String": """
    CRC32 CRC32IEEE CRC64 appendTrailingCharIfAbsent ascii base32Decode base32Encode
    base58Decode base58Encode base64Decode base64Encode base64URLDecode base64URLEncode
    basename byteHammingDistance caseFoldUTF8 compareSubstrings concat concatAssumeInjective
    concatWithSeparator concatWithSeparatorAssumeInjective conv convertCharset
    damerauLevenshteinDistance decodeHTMLComponent decodeXMLComponent editDistance
    editDistanceUTF8 encodeXMLComponent endsWith endsWithCaseInsensitive
    endsWithCaseInsensitiveUTF8 endsWithUTF8 extractTextFromHTML firstLine initcap
    initcapUTF8 isValidASCII isValidUTF8 jaroSimilarity jaroWinklerSimilarity left leftPad
    leftPadUTF8 leftUTF8 lengthUTF8 lower lowerUTF8 naturalSortKey normalizeUTF8NFC
    normalizeUTF8NFD normalizeUTF8NFKC normalizeUTF8NFKCCasefold normalizeUTF8NFKD
    regexpExtract regexpPosition removeDiacriticsUTF8 repeat reverseUTF8 right rightPad
    rightPadUTF8 rightUTF8 soundex space sparseGrams sparseGramsHashes sparseGramsHashesUTF8
    sparseGramsUTF8 startsWith startsWithCaseInsensitive startsWithCaseInsensitiveUTF8
    startsWithUTF8 stringBytesEntropy stringBytesUniq stringJaccardIndex
    stringJaccardIndexUTF8 substring substringIndex substringIndexUTF8 substringUTF8
    toValidUTF8 trimBoth trimLeft trimRight tryBase32Decode tryBase58Decode tryBase64Decode
    tryBase64URLDecode upper upperUTF8
""",
    "Geo": """
    MGRSToGeo MVTBoundingBox MVTBoundingBoxMercator UTMToGeo areaCartesian areaSpherical
    geoDistance geoToH3 geoToMGRS geoToUTM geohashDecode geohashEncode geohashesInBox
    geometryIntersectCartesian geometryIntersectSpherical greatCircleAngle
    greatCircleDistance h3CellAreaM2 h3CellAreaRads2 h3Distance h3EdgeAngle h3EdgeLengthKm
    h3EdgeLengthM h3ExactEdgeLengthKm h3ExactEdgeLengthM h3ExactEdgeLengthRads h3GetBaseCell
    h3GetDestinationIndexFromUnidirectionalEdge h3GetFaces
    h3GetIndexesFromUnidirectionalEdge h3GetOriginIndexFromUnidirectionalEdge
    h3GetPentagonIndexes h3GetRes0Indexes h3GetResolution h3GetUnidirectionalEdge
    h3GetUnidirectionalEdgeBoundary h3GetUnidirectionalEdgesFromHexagon h3HexAreaKm2
    h3HexAreaM2 h3HexRing h3IndexesAreNeighbors h3IsPentagon h3IsResClassIII h3IsValid
    h3Line h3NumHexagons h3PointDistKm h3PointDistM h3PointDistRads h3PolygonToCells
    h3PolygonToCellsWithContainment h3ToCenterChild h3ToChildren h3ToGeo h3ToGeoBoundary
    h3ToParent h3ToString h3UnidirectionalEdgeIsValid h3kRing perimeterCartesian
    perimeterSpherical pointInEllipses pointInPolygon polygonsIntersectCartesian
    polygonsIntersectSpherical readWKB readWKT stringToH3 svg wkb wkt
""",
    "Geo Polygon": """
    MVTEncode MVTEncodeGeom polygonAreaCartesian polygonAreaSpherical
    polygonConvexHullCartesian polygonPerimeterCartesian polygonPerimeterSpherical
    polygonsDistanceCartesian polygonsDistanceSpherical polygonsEqualsCartesian
    polygonsIntersectionCartesian polygonsIntersectionSpherical
    polygonsSymDifferenceCartesian polygonsSymDifferenceSpherical polygonsUnionCartesian
    polygonsUnionSpherical polygonsWithinCartesian polygonsWithinSpherical readWKBLineString
    readWKBMultiLineString readWKBMultiPoint readWKBMultiPolygon readWKBPoint readWKBPolygon
    readWKTLineString readWKTMultiLineString readWKTMultiPoint readWKTMultiPolygon
    readWKTPoint readWKTPolygon readWKTRing
""",
    "Hash": """
    MD4 MD5 RIPEMD160 SHA1 SHA224 SHA256 SHA384 SHA512 SHA512_256 URLHash cityHash64
    farmFingerprint64 farmHash64 gccMurmurHash halfMD5 hiveHash icebergHash intHash32
    intHash64 javaHash javaHashUTF16LE jumpConsistentHash kafkaMurmurHash keccak256
    kostikConsistentHash metroHash64 murmurHash2_32 murmurHash2_64 murmurHash3_128
    murmurHash3_32 murmurHash3_64 ngramMinHash ngramMinHashArg
    ngramMinHashArgCaseInsensitive ngramMinHashArgCaseInsensitiveUTF8 ngramMinHashArgUTF8
    ngramMinHashCaseInsensitive ngramMinHashCaseInsensitiveUTF8 ngramMinHashUTF8
    ngramSimHash ngramSimHashCaseInsensitive ngramSimHashCaseInsensitiveUTF8
    ngramSimHashUTF8 sipHash128 sipHash128Keyed sipHash128Reference sipHash128ReferenceKeyed
    sipHash64 sipHash64Keyed wordShingleMinHash wordShingleMinHashArg
    wordShingleMinHashArgCaseInsensitive wordShingleMinHashArgCaseInsensitiveUTF8
    wordShingleMinHashArgUTF8 wordShingleMinHashCaseInsensitive
    wordShingleMinHashCaseInsensitiveUTF8 wordShingleMinHashUTF8 wordShingleSimHash
    wordShingleSimHashCaseInsensitive wordShingleSimHashCaseInsensitiveUTF8
    wordShingleSimHashUTF8 wyHash64 xxHash32 xxHash64 xxHash64Spark xxh3 xxh3_128
""",
    "String Search": """
    countMatches countMatchesCaseInsensitive countSubstrings countSubstringsCaseInsensitive
    countSubstringsCaseInsensitiveUTF8 extract extractAll extractAllGroupsHorizontal
    extractGroups hasAllTokens hasAnyTokens hasPhrase hasSubsequence
    hasSubsequenceCaseInsensitive hasSubsequenceCaseInsensitiveUTF8 hasSubsequenceUTF8
    hasToken hasTokenCaseInsensitive hasTokenCaseInsensitiveOrNull hasTokenOrNull highlight
    ilike like locate match matchCaseInsensitive multiFuzzyMatchAllIndices
    multiFuzzyMatchAny multiFuzzyMatchAnyIndex multiMatchAllIndices multiMatchAny
    multiMatchAnyIndex multiSearchAllPositions multiSearchAllPositionsCaseInsensitive
    multiSearchAllPositionsCaseInsensitiveUTF8 multiSearchAllPositionsUTF8 multiSearchAny
    multiSearchAnyCaseInsensitive multiSearchAnyCaseInsensitiveUTF8 multiSearchAnyUTF8
    multiSearchFirstIndex multiSearchFirstIndexCaseInsensitive
    multiSearchFirstIndexCaseInsensitiveUTF8 multiSearchFirstIndexUTF8
    multiSearchFirstPosition multiSearchFirstPositionCaseInsensitive
    multiSearchFirstPositionCaseInsensitiveUTF8 multiSearchFirstPositionUTF8 ngramDistance
    ngramDistanceCaseInsensitive ngramDistanceCaseInsensitiveUTF8 ngramDistanceUTF8
    ngramSearch ngramSearchCaseInsensitive ngramSearchCaseInsensitiveUTF8 ngramSearchUTF8
    notILike notLike notMatch notMatchCaseInsensitive position positionCaseInsensitive
    positionCaseInsensitiveUTF8 positionUTF8
""",
    "JSON": """
    JSONAllPaths JSONAllPathsWithTypes JSONAllValues JSONArrayLength JSONDynamicPaths
    JSONDynamicPathsWithTypes JSONExtract JSONExtractArrayRaw
    JSONExtractArrayRawCaseInsensitive JSONExtractBool JSONExtractBoolCaseInsensitive
    JSONExtractCaseInsensitive JSONExtractFloat JSONExtractFloatCaseInsensitive
    JSONExtractInt JSONExtractIntCaseInsensitive JSONExtractKeys JSONExtractKeysAndValues
    JSONExtractKeysAndValuesCaseInsensitive JSONExtractKeysAndValuesRaw
    JSONExtractKeysAndValuesRawCaseInsensitive JSONExtractKeysCaseInsensitive JSONExtractRaw
    JSONExtractRawCaseInsensitive JSONExtractString JSONExtractStringCaseInsensitive
    JSONExtractUInt JSONExtractUIntCaseInsensitive JSONHas JSONKey JSONLength JSONMergePatch
    JSONSharedDataPaths JSONSharedDataPathsWithTypes JSONType JSON_EXISTS JSON_QUERY
    JSON_VALUE dynamicElement dynamicType isDynamicElementInSharedData isValidJSON
    prettyPrintJSON simpleJSONExtractBool simpleJSONExtractFloat simpleJSONExtractInt
    simpleJSONExtractRaw simpleJSONExtractString simpleJSONExtractUInt simpleJSONHas
    toJSONString
""",
    "Mathematical": """
    acos acosh asin asinh atan atan2 atanh cbrt cos cosh degrees e erf erfc exp exp10 exp2
    factorial hypot intExp10 intExp2 isPrime isProbablePrime lgamma log log10 log1p log2 pi
    pow proportionsZTest radians sigmoid sign sin sinh sqrt tan tanh tgamma widthBucket
""",
    "URL": """
    URLHierarchy URLPathHierarchy cutFragment cutQueryString cutQueryStringAndFragment
    cutToFirstSignificantSubdomain cutToFirstSignificantSubdomainCustom
    cutToFirstSignificantSubdomainCustomRFC cutToFirstSignificantSubdomainCustomWithWWW
    cutToFirstSignificantSubdomainCustomWithWWWRFC cutToFirstSignificantSubdomainRFC
    cutToFirstSignificantSubdomainWithWWW cutToFirstSignificantSubdomainWithWWWRFC
    cutURLParameter cutWWW decodeURLComponent decodeURLFormComponent domain domainRFC
    domainWithoutWWW domainWithoutWWWRFC encodeURLComponent encodeURLFormComponent
    extractURLParameter extractURLParameterNames extractURLParameters
    firstSignificantSubdomain firstSignificantSubdomainCustom
    firstSignificantSubdomainCustomRFC firstSignificantSubdomainRFC fragment netloc path
    pathFull port portRFC protocol queryString queryStringAndFragment topLevelDomain
    topLevelDomainRFC
""",
    "Arithmetic": """
    abs avg2 byteSwap divide divideDecimal divideOrNull gcd ifNotFinite intDiv intDivOrNull
    intDivOrZero isFinite isInfinite isNaN kqlBin kqlBinAt kqlDateTimeBinAt kqlDivide
    kqlMultiply kqlRangeCount lcm max2 midpoint min2 minus modulo moduloLegacy moduloOrNull
    moduloOrZero multiply multiplyDecimal negate plus positiveModulo positiveModuloOrNull
    sqr
""",
    "Map": """
    extractKeyValuePairs extractKeyValuePairsWithEscaping map mapAdd mapAll mapApply
    mapConcat mapContainsKey mapContainsKeyLike mapContainsValue mapContainsValueLike
    mapExists mapExtractKeyLike mapExtractValueLike mapFilter mapFromArrays mapKeys
    mapPartialReverseSort mapPartialSort mapPopulateSeries mapReverseSort mapSort
    mapSubtract mapUpdate mapValues
""",
    "Comparison": """
    equals globalIn globalInIgnoreSet globalNotIn globalNotInIgnoreSet globalNotNullIn
    globalNotNullInIgnoreSet globalNullIn globalNullInIgnoreSet greater greaterOrEquals in
    inIgnoreSet isDistinctFrom isNotDistinctFrom less lessOrEquals notEquals notIn
    notInIgnoreSet notNullIn notNullInIgnoreSet nullIn nullInIgnoreSet
""",
    "IP Address": """
    IPv4CIDRToRange IPv4NumToString IPv4NumToStringClassC IPv4StringToNum
    IPv4StringToNumOrDefault IPv4StringToNumOrNull IPv4ToIPv6 IPv6CIDRToRange
    IPv6NumToString IPv6StringToNum IPv6StringToNumOrDefault IPv6StringToNumOrNull cutIPv6
    isIPAddressInRange isIPv4String isIPv6String toIPv4 toIPv4OrDefault toIPv4OrNull
    toIPv4OrZero toIPv6 toIPv6OrDefault toIPv6OrNull toIPv6OrZero
""",
    "Tuple": """
    dotProduct flattenTuple tuple tupleConcat tupleDivide tupleDivideByNumber tupleElement
    tupleHammingDistance tupleIntDiv tupleIntDivByNumber tupleIntDivOrZero
    tupleIntDivOrZeroByNumber tupleMinus tupleModulo tupleModuloByNumber tupleMultiply
    tupleMultiplyByNumber tupleNames tupleNegate tuplePlus tuplePositiveModuloByNumber
    tupleToNameValuePairs
""",
    "Distance": """
    L1Distance L1Norm L1Normalize L2Distance L2DistanceTransposed
    L2DistanceTransposedQuantized L2Norm L2Normalize L2SquaredDistance L2SquaredNorm
    LinfDistance LinfNorm LinfNormalize LpDistance LpNorm LpNormalize cosineDistance
    cosineDistanceTransposed cosineDistanceTransposedQuantized dotProductTransposed
    dotProductTransposedQuantized
""",
    "Bitmap": """
    bitmapAnd bitmapAndCardinality bitmapAndnot bitmapAndnotCardinality bitmapBuild
    bitmapCardinality bitmapContains bitmapHasAll bitmapHasAny bitmapMax bitmapMin bitmapOr
    bitmapOrCardinality bitmapSubsetInRange bitmapSubsetLimit bitmapToArray bitmapTransform
    bitmapXor bitmapXorCardinality subBitmap
""",
    "Random Number": """
    fuzzBits rand rand64 randBernoulli randBinomial randCanonical randChiSquared
    randConstant randExponential randFisherF randLogNormal randNegativeBinomial randNormal
    randPoisson randStudentT randUniform randomFixedString randomPrintableASCII randomString
    randomStringUTF8
""",
    "Encoding": """
    bin bitPositionsToArray bitmaskToArray bitmaskToList char hex hilbertDecode
    hilbertEncode mortonDecode mortonEncode sqidDecode sqidEncode unbin unhex
""",
    "UUID": """
    UUIDNumToString UUIDStringToNum UUIDToNum UUIDv7ToDateTime dateTime64ToSnowflakeID
    dateTimeToSnowflakeID dateTimeToUUIDv7 generateSnowflakeID generateUUIDv4 generateUUIDv7
    snowflakeIDToDateTime snowflakeIDToDateTime64 toUUIDOrDefault toUUIDOrNull
""",
    "Bit": """
    bitAnd bitCount bitHammingDistance bitNot bitOr bitRotateLeft bitRotateRight
    bitShiftLeft bitShiftRight bitSlice bitTest bitTestAll bitTestAny bitXor
""",
    "String Splitting": """
    alphaTokens arrayStringConcat extractAllGroupsVertical naiveBayesNgrams ngrams
    reverseBySeparator splitByChar splitByNonAlpha splitByRegexp splitByString
    splitByWhitespace tokens tokensForLikePattern
""",
    "String Replacement": """
    format overlay overlayUTF8 printf regexpQuoteMeta replaceAll replaceOne replaceRegexpAll
    replaceRegexpOne translate translateUTF8
""",
    "Null": """
    assumeNotNull coalesce firstNonDefault ifNull isNotNull isNull isNullable isZeroOrNull
    nullIf toNullable
""",
    "Rounding": """
    ceil floor round roundAge roundBankers roundDown roundDuration roundToExp2 trunc
""",
    "Conditional": """
    clamp greatest if least multiIf
""",
    "Logical": """
    and not or xor
""",
    "Financial": """
    financialInternalRateOfReturn financialInternalRateOfReturnExtended
    financialNetPresentValue financialNetPresentValueExtended
""",
    "Time Window": """
    hop hopEnd hopStart tumble tumbleEnd tumbleStart
""",
    "NumericIndexedVector": """
    numericIndexedVectorAllValueSum numericIndexedVectorBuild
    numericIndexedVectorCardinality numericIndexedVectorGetValue
    numericIndexedVectorPointwiseAdd numericIndexedVectorPointwiseDivide
    numericIndexedVectorPointwiseEqual numericIndexedVectorPointwiseGreater
    numericIndexedVectorPointwiseGreaterEqual numericIndexedVectorPointwiseLess
    numericIndexedVectorPointwiseLessEqual numericIndexedVectorPointwiseMultiply
    numericIndexedVectorPointwiseNotEqual numericIndexedVectorPointwiseSubtract
    numericIndexedVectorShortDebugString numericIndexedVectorToMap
""",
    "QBit": """
    dequantizeInt8ToBFloat16 quantizeBFloat16ToInt8
""",
    "Other": """
    MACNumToString MACStringToNum MACStringToOUI _CAST bar blockNumber blockSize byteSize
    caseWithExpression countDigits currentDatabase defaultValueOfArgumentType
    defaultValueOfTypeName dumpColumnStructure errorCodeToName finalizeAggregation
    formatReadableDecimalSize formatReadableQuantity formatReadableSize
    formatReadableTimeDelta getSetting getSettingOrDefault getSizeOfEnumType getSubcolumn
    identity ignore indexHint initializeAggregation isConstant isDecimalOverflow
    lowCardinalityIndices lowCardinalityKeys materialize neighbor parseISO8601Duration
    parseReadableSize parseReadableSizeOrNull parseReadableSizeOrZero parseTimeDelta
    rowNumberInAllBlocks rowNumberInBlock runningAccumulate runningDifference
    runningDifferenceStartingWithFirstValue seriesDecomposeSTL seriesOutliersDetectTukey
    toColumnTypeName toTypeName transform variantElement variantType version visibleWidth
""",
}
ALLOWED_FUNCTIONS = frozenset(name for names in _FAMILIES.values() for name in names.split())
